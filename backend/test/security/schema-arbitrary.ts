/**
 * A small JSON Schema → fast-check arbitrary converter for the subset backend/openapi.json uses:
 * type (or a list of types), enum, const, string (minLength, maxLength, pattern, format date, date-time,
 * email, uri), integer/number (minimum, maximum), boolean, null, array (items, minItems, maxItems),
 * object (properties, required, additionalProperties), anyOf/oneOf and local $refs.
 * `hints` supplies real values for named fields (ids of seeded objects), so valid requests get through.
 */
import fc from 'fast-check';

export type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  default?: unknown;
  [k: string]: unknown;
};

export interface ConvertOptions {
  /** `#/components/schemas/X` → schema. */
  components: Record<string, Schema>;
  /** Field name → real values (for example projectId → the seeded project's id). */
  hints: Record<string, () => unknown[]>;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const dateArb = fc
  .record({ y: fc.integer({ min: 1970, max: 2100 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) })
  .map(({ y, m, d }) => `${y}-${pad(m)}-${pad(d)}`);
const dateTimeArb = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

function stringArb(s: Schema): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = Math.min(s.maxLength ?? 80, Math.max(min, 80));
  if (s.format === 'date') return dateArb;
  if (s.format === 'date-time') return dateTimeArb;
  if (s.format === 'email') return fc.emailAddress().filter((e) => e.length <= (s.maxLength ?? 320));
  if (s.format === 'uri') return fc.webUrl().filter((u) => u.length <= (s.maxLength ?? 2048));
  if (s.pattern) {
    try {
      return fc
        .stringMatching(new RegExp(s.pattern))
        .filter((v) => v.length >= min && v.length <= (s.maxLength ?? Number.MAX_SAFE_INTEGER));
    } catch {
      /* a pattern JavaScript cannot compile: fall through to plain strings */
    }
  }
  return fc.string({ minLength: min, maxLength: max, unit: 'grapheme' });
}

export function toArbitrary(schema: Schema, opts: ConvertOptions, name?: string, depth = 0): fc.Arbitrary<unknown> {
  if (schema.$ref) {
    const key = schema.$ref.replace('#/components/schemas/', '');
    const target = opts.components[key];
    return target && depth < 8 ? toArbitrary(target, opts, name, depth + 1) : fc.constant({});
  }
  const hinted = name ? opts.hints[name] : undefined;
  const base = baseArbitrary(schema, opts, depth);
  if (!hinted) return base;
  // Mostly the real value, sometimes whatever the schema allows.
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(null).chain(() => fc.constantFrom(...(hinted().length ? hinted() : [null]))) },
    { weight: 1, arbitrary: base },
  );
}

function baseArbitrary(schema: Schema, opts: ConvertOptions, depth: number): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return fc.oneof(...variants.map((v) => toArbitrary(v, opts, undefined, depth + 1)));
  if (schema.allOf) return toArbitrary(Object.assign({}, ...schema.allOf) as Schema, opts, undefined, depth + 1);
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : schema.properties ? ['object'] : [];
  if (types.length > 1) return fc.oneof(...types.map((t) => baseArbitrary({ ...schema, type: t }, opts, depth)));
  switch (types[0]) {
    case 'string':
      return stringArb(schema);
    case 'integer':
      return fc.integer({
        min: Math.max(schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1e6), -2_147_483_648),
        max: Math.min(schema.maximum ?? 1e6, 2_147_483_647),
      });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(schema.items ? toArbitrary(schema.items, opts, undefined, depth + 1) : fc.anything(), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 5, 5),
      });
    case 'object': {
      const props = schema.properties ?? {};
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, sub] of Object.entries(props)) record[key] = toArbitrary(sub, opts, key, depth + 1);
      if (Object.keys(record).length === 0) {
        return schema.additionalProperties === false
          ? fc.constant({})
          : fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean()), {
              maxKeys: 3,
            });
      }
      return fc.record(record, { requiredKeys: (schema.required ?? []).filter((k) => k in record) });
    }
    default:
      return fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean(), fc.constant(null));
  }
}

/** Values of the wrong JSON type for a schema (a number where a string belongs, and so on). */
export function wrongTypeArbitrary(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.integer(), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
    fc.string({ maxLength: 20 }),
  );
}

/** Strings that have broken parsers before: unicode edge cases, injection payloads, huge values. */
export const nastyString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '\ud800',
    '\udfff\ud800',
    '\u202e\u2066evil',
    'Z̸̡̢͚̘̮̹̓̈́͛a̷l̷g̷o̷',
    '👩‍👩‍👧‍👦'.repeat(50),
    "' OR '1'='1",
    '1; DROP TABLE tasks;--',
    '$(reboot)',
    '{{7*7}}',
    '<script>alert(1)</script>',
    '../../../../etc/passwd',
    '%00',
    '%ZZ',
    'NaN',
    '-0',
    '1e309',
    '9'.repeat(400),
    ' ',
    '',
    'ten_',
    'task_aaaaaaaaaaaaaaaaaaaaaa',
    '__proto__',
    'constructor',
  ),
  fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'x'.repeat(n)),
);
