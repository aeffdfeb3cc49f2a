/**
 * Response serialization from the route's schema. Each route's Zod response schema is turned into a
 * JSON Schema once, at start-up, and compiled by fast-json-stringify (Fastify's own serializer) into a
 * function that writes exactly the declared fields. Compared with validating every response with Zod
 * and then calling JSON.stringify (fastify-type-provider-zod's serializer), a page of 20 tasks costs a
 * fraction of the CPU (docs/performance.md).
 *
 * What it keeps: only declared properties leave the process (a row with an extra column does not leak
 * it: `additionalProperties: false` objects are written field by field), and a response missing a
 * required field is a 500, as before. What it drops: the per-response check of formats and enums,
 * which the contract tests do instead (test/security: every answer is validated against the OpenAPI
 * document). A schema that cannot be expressed as JSON Schema, or that fast-json-stringify refuses,
 * keeps the Zod serializer.
 */
import fastJson from 'fast-json-stringify';
import type { FastifySerializerCompiler } from 'fastify';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { type ZodType, z } from 'zod';

type JsonSchema = Record<string, unknown>;
const SIMPLE_TYPES = new Set(['string', 'number', 'integer', 'boolean']);

/**
 * `anyOf: [{ type: 'string', … }, { type: 'null' }]` (how Zod writes `.nullable()`) becomes
 * `{ type: ['string', 'null'], … }`: fast-json-stringify serializes that directly, where an `anyOf`
 * makes it validate the value against each branch on every response.
 */
export function simplifyNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(simplifyNullable);
  if (!node || typeof node !== 'object') return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node as JsonSchema)) out[key] = simplifyNullable(value);
  const anyOf = out.anyOf;
  if (Array.isArray(anyOf) && anyOf.length === 2) {
    const nullIndex = anyOf.findIndex((s) => (s as JsonSchema)?.type === 'null' && Object.keys(s as JsonSchema).length === 1);
    const other = anyOf[1 - nullIndex] as JsonSchema | undefined;
    if (nullIndex >= 0 && other && typeof other.type === 'string' && SIMPLE_TYPES.has(other.type) && !('anyOf' in other)) {
      const { anyOf: _drop, ...rest } = out;
      return { ...rest, ...other, type: [other.type, 'null'] };
    }
  }
  return out;
}

/** The JSON Schema fast-json-stringify compiles for a Zod response schema. */
export function responseJsonSchema(schema: ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, { io: 'output', target: 'draft-7', unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return simplifyNullable(json) as JsonSchema;
}

/** Routes whose response schema fell back to the Zod serializer (`METHOD url status`); tested to stay empty. */
export const serializerFallbacks: string[] = [];

/** Serializers not compiled yet (compileAllSerializers compiles them: tests, and the check above). */
const pending = new Set<() => unknown>();

/**
 * Compiled on a route's first answer with that status, not at start-up: compiling the ~250 response
 * schemas takes about a second of CPU, which every start (and every test app) would pay.
 */
export const schemaSerializerCompiler: FastifySerializerCompiler<ZodType> = (route) => {
  let serialize: ((data: unknown) => string) | undefined;
  const compile = () => {
    pending.delete(compile);
    try {
      serialize = fastJson(responseJsonSchema(route.schema));
    } catch {
      serializerFallbacks.push(`${route.method} ${route.url} ${route.httpStatus}`);
      serialize = zodSerializerCompiler(route);
    }
    return serialize;
  };
  pending.add(compile);
  return (data) => (serialize ?? compile())(data);
};

/** Compiles every serializer not compiled yet. */
export function compileAllSerializers(): void {
  for (const compile of [...pending]) compile();
}
