/**
 * The response envelope shared by every /api/v1 route, as Zod schemas so the same definitions
 * validate responses and generate the OpenAPI document.
 *
 *   success: { success: true, data, meta? }
 *   failure: { success: false, error: { code, message, details?, requestId } }
 */
import { z } from 'zod';
import { ERROR_CODES } from './errors.ts';

export const ErrorEnvelope = z
  .object({
    success: z.literal(false),
    error: z.object({
      code: z.enum(ERROR_CODES as [string, ...string[]]).describe('Stable machine-readable error code'),
      message: z.string().describe('Human-readable explanation'),
      details: z
        .union([
          z.array(
            z.object({
              path: z.string().optional(),
              location: z.string().optional(),
              message: z.string(),
              code: z.string().optional(),
            }),
          ),
          z.record(z.string(), z.unknown()),
        ])
        .optional()
        .describe('Per-field problems for validation errors, or extra context'),
      requestId: z.string().describe('Echo of the x-request-id header; quote it when reporting a problem'),
    }),
  })
  .meta({ id: 'ErrorEnvelope' });

export function envelope<T extends z.ZodType>(data: T) {
  return z.object({ success: z.literal(true), data });
}

export function pagedEnvelope<T extends z.ZodType>(item: T) {
  return z.object({
    success: z.literal(true),
    data: z.array(item),
    meta: z.object({
      nextCursor: z.string().nullable().describe('Pass as `cursor` to get the next page; null on the last page'),
    }),
  });
}

/** The error responses a route documents, keyed by status. */
/** The error responses a route documents, keyed by status; 429 (rate limit) and 500 apply to every route. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries([...new Set([...statuses, 429, 500])].map((s) => [s, ErrorEnvelope])) as Record<number, typeof ErrorEnvelope>;
}

export const ok = <T>(data: T) => ({ success: true as const, data });

/** OpenAPI security requirement of routes that need a signed-in user (JWT bearer or session cookie). */
export const USER_AUTH: { [scheme: string]: string[] }[] = [{ bearerAuth: [] }, { cookieAuth: [] }];

/** Routes inside a tenant also accept the tenant's API keys (within their scopes). */
export const TENANT_AUTH: { [scheme: string]: string[] }[] = [...USER_AUTH, { apiKeyAuth: [] }];
