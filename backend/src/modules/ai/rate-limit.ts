/**
 * The per-tenant AI request limit (AI_REQUESTS_PER_MINUTE): a sliding window of the last minute's
 * admissions, per tenant, in this process. Several API processes each allow the number (see ADR 0013);
 * the token budget, which is in the database, is the hard limit on spending.
 */
export class AiRateLimiter {
  private readonly perMinute: number;
  private readonly windows = new Map<string, number[]>();
  private readonly now: () => number;

  constructor(perMinute: number, now: () => number = Date.now) {
    this.perMinute = perMinute;
    this.now = now;
  }

  /** Counts one request for `tenantId`, or answers how many seconds until one is allowed. */
  take(tenantId: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = this.now();
    const since = now - 60_000;
    const window = (this.windows.get(tenantId) ?? []).filter((t) => t > since);
    if (window.length >= this.perMinute) {
      this.windows.set(tenantId, window);
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(((window[0] as number) + 60_000 - now) / 1000)) };
    }
    window.push(now);
    this.windows.set(tenantId, window);
    if (this.windows.size > 10_000) this.sweep(since);
    return { ok: true };
  }

  get limit(): number {
    return this.perMinute;
  }

  private sweep(since: number): void {
    for (const [tenantId, window] of this.windows) if (!window.some((t) => t > since)) this.windows.delete(tenantId);
  }
}
