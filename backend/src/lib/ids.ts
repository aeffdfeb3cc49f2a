import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Prefixed, unguessable identifiers (`ten_…`, `task_…`): 22 base62 characters ≈ 131 bits of randomness,
 * so an id can be shown in a URL without letting anyone enumerate its neighbours.
 */
export function newId(prefix: string, length = 22): string {
  let out = '';
  while (out.length < length) {
    const b = randomByte();
    if (b < 248) out += ALPHABET[b % 62]; // 248 = 4 × 62: rejection sampling keeps the distribution uniform
  }
  return prefix ? `${prefix}_${out}` : out;
}

// Random bytes drawn from the CSPRNG 4 KiB at a time (every request takes an id: one randomBytes call
// per id was 1.5 % of the API's CPU under load). Each byte is used once; the same generator, fewer calls.
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let offset = 0;
function randomByte(): number {
  if (offset >= POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  return pool[offset++] as number;
}
