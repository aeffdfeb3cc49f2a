/**
 * The error catalogue: every error code the API can answer with, and its HTTP status, in one place.
 * Services throw `AppError`s; the error plugin turns them into the failure envelope.
 */
export const ERROR_CATALOGUE = {
  validation_error: 400,
  unauthorized: 401,
  plan_limit_reached: 402,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
  /** No AI provider (or no enabled model) is configured on this server. */
  ai_not_configured: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/**
 * Whether `err`, or an error it wraps (Drizzle wraps the driver's error as `cause`), carries a
 * PostgreSQL SQLSTATE that `test` accepts.
 */
export function hasSqlState(err: unknown, test: (code: string) => boolean): boolean {
  for (let e = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const { code } = e as { code?: unknown };
    if (typeof code === 'string' && test(code)) return true;
  }
  return false;
}

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

export interface ErrorDetail {
  path?: string;
  location?: string;
  message: string;
  code?: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetail[] | Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: ErrorDetail[] | Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code];
    this.details = details;
  }
}

export const notFound = (what = 'Resource') => new AppError('not_found', `${what} not found`);
export const forbidden = (message = 'You do not have permission to do this') => new AppError('forbidden', message);
export const conflict = (message: string, details?: Record<string, unknown>) => new AppError('conflict', message, details);
export const unauthorized = (message = 'Authentication required') => new AppError('unauthorized', message);
export const serviceUnavailable = (message: string) => new AppError('service_unavailable', message);

/** Maps an HTTP status that did not come from our catalogue (e.g. a Fastify-internal error) to a code. */
export function codeForStatus(status: number): ErrorCode {
  const found = (Object.entries(ERROR_CATALOGUE) as [ErrorCode, number][]).find(([, s]) => s === status);
  if (found) return found[0];
  return status >= 500 ? 'internal_error' : 'validation_error';
}
