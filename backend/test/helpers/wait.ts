export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false>,
  { timeoutMs = 15_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`waitFor: condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Awaits a promise that must fail with a database error whose message (or cause's) matches. */
export async function expectDbError(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await promise;
  } catch (err) {
    const messages: string[] = [];
    for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) messages.push(String((e as Error).message));
    if (!messages.some((m) => pattern.test(m))) throw new Error(`expected an error matching ${pattern}, got: ${messages.join(' <- ')}`);
    return;
  }
  throw new Error(`expected an error matching ${pattern}, but the operation succeeded`);
}
