/**
 * The typed client for /api/v1, generated from the backend's OpenAPI document (`npm run api:types`).
 * Same origin as the page: the session cookie goes along and src/proxy.ts forwards to the API.
 */
import createClient from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Task = Schemas['Task'];
export type Project = Schemas['Project'];
export type Member = Schemas['Member'];
export type Invitation = Schemas['Invitation'];
export type AuditLog = Schemas['AuditLog'];
export type Me = Schemas['Me'];
export type Tenant = Schemas['Tenant'];
export type OutboxMail = Schemas['OutboxMail'];
export type Role = Member['role'];
export type TaskStatus = Task['status'];
export type TaskPriority = Task['priority'];
export type ErrorCode = Schemas['ErrorEnvelope']['error']['code'];

export const api = createClient<paths>({ baseUrl: '', credentials: 'include' });

/** An API failure as the envelope describes it; `requestId` is what support asks for. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | 'network_error' | 'unexpected_response';
  readonly requestId: string | undefined;
  readonly details: unknown;

  constructor(opts: { status: number; code: ApiError['code']; message: string; requestId?: string; details?: unknown }) {
    super(opts.message);
    this.name = 'ApiError';
    this.status = opts.status;
    this.code = opts.code;
    this.requestId = opts.requestId;
    this.details = opts.details;
  }

  /** Per-field messages of a validation error, keyed by field path. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    if (Array.isArray(this.details)) {
      for (const d of this.details as { path?: string; message?: string }[]) {
        if (d.path && d.message && !out[d.path]) out[d.path] = d.message;
      }
    }
    return out;
  }
}

function isErrorEnvelope(body: unknown): body is Schemas['ErrorEnvelope'] {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as { success?: unknown }).success === false &&
    typeof (body as { error?: unknown }).error === 'object'
  );
}

export function toApiError(error: unknown, response: Response | undefined): ApiError {
  const requestId = response?.headers.get('x-request-id') ?? undefined;
  if (isErrorEnvelope(error)) {
    return new ApiError({
      status: response?.status ?? 0,
      code: error.error.code,
      message: error.error.message,
      requestId: error.error.requestId ?? requestId,
      details: error.error.details,
    });
  }
  if (!response) {
    return new ApiError({
      status: 0,
      code: 'network_error',
      message: 'The server could not be reached. Check your connection and try again.',
    });
  }
  return new ApiError({
    status: response.status,
    code: 'unexpected_response',
    message: `The server answered ${response.status} ${response.statusText}`.trim(),
    requestId,
  });
}

type FetchResult<T> = { data?: T; error?: unknown; response: Response };

/**
 * Awaits an openapi-fetch call and returns its success envelope, or throws an ApiError carrying the
 * API's message and request id. Network failures become ApiError('network_error') too.
 */
export async function call<T>(request: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await request;
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw toApiError(undefined, undefined);
  }
  if (result.error !== undefined || !result.response.ok || result.data === undefined) {
    throw toApiError(result.error, result.response);
  }
  return result.data;
}

/** The ETag the API gives a task version (`"<id>.<version>"`), for If-Match. */
export const etagOf = (task: Pick<Task, 'id' | 'version'>) => `"${task.id}.${task.version}"`;

export const isApiError = (e: unknown, code?: ApiError['code']): e is ApiError => e instanceof ApiError && (!code || e.code === code);
