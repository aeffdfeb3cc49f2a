/**
 * The application clock: wall time plus an offset. Billing reads time only through here (trials,
 * periods, grace, lifecycle), so local and test runs can move time forward (`POST /api/v1/dev/clock`,
 * which exists only outside production) and see a month pass in a second.
 *
 * The offset lives in this process: it is a development and test aid, never set in production (the
 * route that changes it is not registered there), so it cannot make two API processes disagree.
 * Webhook signature timestamps are NOT read from here: they are checked against real time, as
 * Stripe's are.
 */
let offsetMs = 0;

export const clock = {
  now(): Date {
    return new Date(Date.now() + offsetMs);
  },
  /** Seconds since the epoch (Stripe's unit for timestamps). */
  nowSeconds(): number {
    return Math.floor((Date.now() + offsetMs) / 1000);
  },
  /** Moves the clock forward (or back, with a negative value) by `seconds`. */
  advance(seconds: number): Date {
    offsetMs += Math.round(seconds * 1000);
    return clock.now();
  },
  get offsetSeconds(): number {
    return offsetMs / 1000;
  },
  reset(): void {
    offsetMs = 0;
  },
};
