/** A same-origin path to return to after signing in, or the fallback; never another origin. */
export function safeNext(next: string | null | undefined, fallback = '/w'): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  return next;
}

export const withNext = (path: string, next: string | null | undefined) =>
  next && safeNext(next, '') ? `${path}?next=${encodeURIComponent(next)}` : path;
