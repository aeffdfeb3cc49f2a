/**
 * Identifiers (lib/ids.ts): prefixed, 22 base62 characters by default, drawn from the CSPRNG through a
 * pool of random bytes. Many ids (well past several refills of the pool) are all distinct, well formed
 * and evenly spread over the alphabet.
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids.ts';

describe('newId', () => {
  it('has the prefix and the length asked for', () => {
    expect(newId('task')).toMatch(/^task_[0-9A-Za-z]{22}$/);
    expect(newId('req', 20)).toMatch(/^req_[0-9A-Za-z]{20}$/);
    expect(newId('', 8)).toMatch(/^[0-9A-Za-z]{8}$/);
  });

  it('never repeats and spreads evenly over the alphabet', () => {
    const ids = Array.from({ length: 20_000 }, () => newId('', 22));
    expect(new Set(ids).size).toBe(ids.length);
    const counts = new Map<string, number>();
    for (const id of ids) for (const c of id) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(62);
    const expected = (ids.length * 22) / 62; // about 7,100 per character
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.06);
  });
});
