import { AppError } from './errors.ts';

/** Opaque keyset-pagination cursors: the last row's sort key and id, base64url-encoded JSON. */
export function encodeCursor(values: (string | number | null)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, length: number): (string | number | null)[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      !Array.isArray(values) ||
      values.length !== length ||
      values.some((v) => v !== null && typeof v !== 'string' && typeof v !== 'number') ||
      // PostgreSQL text cannot hold NUL: a forged cursor carrying one is the caller's mistake (400).
      values.some((v) => typeof v === 'string' && v.includes('\u0000'))
    ) {
      throw new Error('shape');
    }
    return values;
  } catch {
    throw new AppError('validation_error', 'Invalid cursor', [
      { location: 'querystring', path: 'cursor', message: 'Not a cursor from this list' },
    ]);
  }
}
