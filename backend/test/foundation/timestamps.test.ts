/**
 * isoFromTimestamptz (db/compiled.ts): PostgreSQL's text for a timestamptz turned into what
 * `new Date(text).toISOString()` gives, without the Date. The hot task reads use it (isoTimestamps);
 * the task tests compare those reads with the Date path of the insert's RETURNING on both databases.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoFromTimestamptz } from '../../src/db/compiled.ts';

const viaDate = (text: string) => new Date(text).toISOString();

/** How PostgreSQL prints a timestamptz in a UTC session: microseconds, trailing zeros dropped, `+00`. */
function pgText(epochMicros: bigint): string {
  const ms = Number(epochMicros / 1000n);
  const micros = Number(((epochMicros % 1_000_000n) + 1_000_000n) % 1_000_000n);
  const base = new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  const fraction = micros === 0 ? '' : `.${String(micros).padStart(6, '0').replace(/0+$/, '')}`;
  return `${base}${fraction}+00`;
}

describe('isoFromTimestamptz', () => {
  it('matches the Date round trip for any instant from 1970 to 9999, at microsecond precision', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 253_402_300_799_999_999n }), (micros) => {
        const text = pgText(micros);
        expect(isoFromTimestamptz(text)).toBe(viaDate(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('handles every fraction length, and leaves other forms to Date', () => {
    for (const text of [
      '2026-11-22 13:00:00+00',
      '2026-11-22 13:00:00.1+00',
      '2026-11-22 13:00:00.12+00',
      '2026-11-22 13:00:00.123+00',
      '2026-11-22 13:00:00.1239+00',
      '2026-11-22 13:00:00.999999+00',
      // Not a UTC session's text: through Date, same answer as before.
      '2026-11-22 14:00:00.5+01',
      '2026-11-22 18:30:00.123456+05:30',
      '2026-11-22 13:00:00-07',
    ]) {
      expect(isoFromTimestamptz(text), text).toBe(viaDate(text));
    }
    expect(isoFromTimestamptz('2026-11-22 13:00:00.123456+00')).toBe('2026-11-22T13:00:00.123Z');
    // Outside what Date prints the same way: Date's answer (or its error), as before.
    expect(() => isoFromTimestamptz('infinity')).toThrow(RangeError);
  });
});
