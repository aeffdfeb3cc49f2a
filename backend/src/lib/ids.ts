import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Prefixed, unguessable identifiers (`ten_…`, `task_…`): 22 base62 characters ≈ 131 bits of randomness,
 * so an id can be shown in a URL without letting anyone enumerate its neighbours.
 */
export function newId(prefix: string, length = 22): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; i < bytes.length && out.length < length; i++) {
    const b = bytes[i] as number;
    if (b < 248) out += ALPHABET[b % 62]; // 248 = 4 × 62: rejection sampling keeps the distribution uniform
  }
  while (out.length < length) out += newId('', length - out.length);
  return prefix ? `${prefix}_${out}` : out;
}
