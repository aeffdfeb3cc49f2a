const KEY = 'atrium-last-workspace';

export function rememberWorkspace(tenantId: string) {
  try {
    localStorage.setItem(KEY, tenantId);
  } catch {
    // not important
  }
}

export function lastWorkspace(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}
