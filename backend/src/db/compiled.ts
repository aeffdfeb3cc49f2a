/**
 * Queries built once. Drizzle builds a query's SQL text and its result mapping every time a builder
 * runs: walking the column objects, quoting names, checking entity kinds. For the queries on the hot
 * path of every request (a task by id, a page of tasks) that work was the largest share of the API's
 * CPU (docs/performance.md). A compiled query is written with Drizzle as usual, with `sql.placeholder`
 * where the values go; the first run builds it, and every later run only binds the values to the same
 * text and mapping. On PostgreSQL the query also runs as a named prepared statement, so the server
 * parses and plans it once per connection instead of once per request.
 *
 * The text of a name never changes (one name, one builder), which is what named statements require.
 * RLS is unaffected: the statement runs inside the caller's scoped transaction like any other query
 * (or, through `.scoped`, in the implicit transaction of its own scope statement: db/scoped-read.ts),
 * and the policies read the transaction's settings when it executes, not when it was planned.
 */
import { Column, fillPlaceholders, is, Param, Placeholder, type Query, SQL, Subquery } from 'drizzle-orm';
import { PgTimestamp } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { APP_ROLE, type AppDb, type Executor } from './client.ts';
import { type ScopedQueryConfig, scopedRead } from './scoped-read.ts';
import { firstTransactionPending, type Scope, withScope } from './tenant.ts';

/** What a Drizzle select builder offers here: `.prepare(name)` (public API). */
export interface Preparable {
  prepare(name: string): { execute(values?: Record<string, unknown>): Promise<unknown> };
}

/** Drizzle's prepared query (node-postgres and PGlite drivers alike), with the internals reused. */
interface PreparedLike {
  execute(values?: Record<string, unknown>): Promise<unknown>;
  query: Query;
  fields?: unknown;
  joinsNotNullableMap?: Record<string, boolean>;
}

type RowMapper = (rows: unknown[][]) => unknown[];

interface SessionLike {
  prepareQuery(query: Query, fields: unknown, name: string | undefined, arrayMode: boolean, mapper?: RowMapper): PreparedLike;
}

interface Built {
  query: Query;
  fields: unknown;
  joins: Record<string, boolean> | undefined;
  mapper: RowMapper | undefined;
}

interface Decoder {
  mapFromDriverValue(value: unknown): unknown;
}

/** The decoder Drizzle's own row mapping would use for a selected field. */
function decoderOf(field: unknown): Decoder | undefined {
  // `decoder` is internal to Drizzle's SQL objects; this mirrors its mapResultRow.
  type WithDecoder = { decoder: Decoder };
  let decoder: Decoder;
  if (is(field, Column)) decoder = field;
  else if (is(field, SQL)) decoder = (field as unknown as WithDecoder).decoder;
  else if (is(field, Subquery)) decoder = (field as unknown as { _: { sql: WithDecoder } })._.sql.decoder;
  else decoder = (field as { sql: WithDecoder }).sql.decoder;
  // A column type that stores values as the driver returns them (text, integer): nothing to call.
  return decoder.mapFromDriverValue === Column.prototype.mapFromDriverValue ? undefined : decoder;
}

/**
 * PostgreSQL's text for a timestamptz as `Date#toISOString` prints it, without making a Date: in a UTC
 * session ('2026-11-22 13:00:00.123456+00') that is the same digits with the fraction cut to
 * milliseconds (Date parsing truncates it too). Any other form (another zone's offset, a year beyond
 * 9999, BC, infinity) goes through Date as before.
 */
export function isoFromTimestamptz(text: string): string {
  if (text.length >= 22 && text.length <= 29 && text.charCodeAt(4) === 45 && text.charCodeAt(10) === 32 && text.endsWith('+00')) {
    const fraction = text.length > 22 ? text.slice(20, -3) : '';
    return `${text.slice(0, 10)}T${text.slice(11, 19)}.${`${fraction}000`.slice(0, 3)}Z`;
  }
  return new Date(text).toISOString();
}

const ISO_TIMESTAMP: Decoder = { mapFromDriverValue: (value) => (typeof value === 'string' ? isoFromTimestamptz(value) : value) };

export interface CompileOptions {
  /**
   * Timestamp-with-time-zone columns come back as ISO 8601 strings (what the API sends) instead of
   * Dates: parsing a Date and printing it back was about 6 % of a list's CPU.
   */
  isoTimestamps?: boolean;
}

/**
 * The rows as objects, as Drizzle maps them (null stays null, every other value through its column's
 * decoder), with the per-column work (which decoder, which key) done once instead of once per value.
 * Only for flat selections (every field at the top level of the row): Drizzle's join handling (a
 * left-joined table whose columns are all null becomes null) only concerns nested ones, so it has
 * nothing to do here. Anything else keeps Drizzle's mapping.
 */
function rowMapper(fields: unknown, options: CompileOptions): RowMapper | undefined {
  if (!Array.isArray(fields)) return undefined;
  const keys: string[] = [];
  const decoders: (Decoder | undefined)[] = [];
  for (const { path, field } of fields as { path: string[]; field: unknown }[]) {
    if (path.length !== 1) return undefined;
    keys.push(path[0] as string);
    decoders.push(options.isoTimestamps && is(field, PgTimestamp) && field.withTimezone ? ISO_TIMESTAMP : decoderOf(field));
  }
  return (rows) =>
    rows.map((row) => {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) {
        const value = row[i];
        const decoder = decoders[i];
        out[keys[i] as string] = value === null || decoder === undefined ? value : decoder.mapFromDriverValue(value);
      }
      return out;
    });
}

const names = new Set<string>();

/** The session a handle runs its queries on (a transaction's connection, or the root's pool). */
function sessionOf(executor: Executor): SessionLike {
  return (executor as unknown as { session: SessionLike }).session;
}

/**
 * A placeholder bound to a column (an insert's value) is encoded by that column when the value is
 * filled in, and Drizzle does not skip nulls there as it does for literal values: a null timestamp
 * would fail in the encoder. Null stays null.
 */
function nullSafe(param: unknown): unknown {
  if (!is(param, Param) || !is(param.value, Placeholder)) return param;
  const { encoder } = param;
  return new Param(param.value, {
    mapToDriverValue: (value: unknown) => (value === null || value === undefined ? null : encoder.mapToDriverValue(value)),
  });
}

export interface CompiledQuery<V extends Record<string, unknown>, R> {
  (executor: Executor, values: V): Promise<R[]>;
  /**
   * The query on its own under `scope`, for work that is this one statement (a read, or a write that
   * needs nothing else in its transaction): what `withScope(db, scope, (tx) => query(tx, values))`
   * returns, without the transaction around it on PostgreSQL (db/scoped-read.ts). On PGlite, or when
   * the request still has work for its first transaction (an idempotency record), it is exactly that
   * withScope.
   */
  scoped(db: AppDb, scope: Scope, values: V): Promise<R[]>;
}

/** The pool under a root handle on PostgreSQL (drizzle's `$client`); none on PGlite. */
function poolOf(db: AppDb): pg.Pool | undefined {
  const client = (db as unknown as { $client?: unknown }).$client;
  return client instanceof pg.Pool ? client : undefined;
}

/**
 * A select (or an insert) compiled on first use. `build` receives the executor of that first run and must return the
 * same query shape every time (values only through `sql.placeholder`).
 */
export function compiledQuery<V extends Record<string, unknown>, R>(
  name: string,
  build: (executor: Executor) => Preparable,
  options: CompileOptions = {},
): CompiledQuery<V, R> {
  if (names.has(name)) throw new Error(`compiled query name used twice: ${name}`);
  names.add(name);
  let built: Built | undefined;
  const compile = (executor: Executor): Built => {
    if (!built) {
      const first = build(executor).prepare(name) as unknown as PreparedLike;
      built = {
        query: { ...first.query, params: first.query.params.map(nullSafe) },
        fields: first.fields,
        joins: first.joinsNotNullableMap,
        mapper: rowMapper(first.fields, options),
      };
    }
    return built;
  };
  const run = async (executor: Executor, values: V) => {
    const { query, fields, joins, mapper } = compile(executor);
    const prepared = sessionOf(executor).prepareQuery(query, fields, name, true, mapper);
    prepared.joinsNotNullableMap = joins;
    return (await prepared.execute(values)) as R[];
  };
  /** What the driver is given for a scoped read: Drizzle's query config (name, text, type parsers). */
  let direct: { config: Omit<ScopedQueryConfig, 'values'>; params: unknown[]; mapper: RowMapper } | undefined;
  const scoped = async (db: AppDb, scope: Scope, values: V) => {
    const pool = poolOf(db);
    const { query, fields, mapper } = compile(db);
    if (!pool || !mapper || firstTransactionPending()) return withScope(db, scope, (tx) => run(tx, values));
    if (!direct) {
      const prepared = sessionOf(db).prepareQuery(query, fields, name, true, mapper) as unknown as {
        queryConfig: Omit<ScopedQueryConfig, 'values'>;
        params: unknown[];
      };
      direct = { config: prepared.queryConfig, params: prepared.params, mapper };
    }
    const rows = await scopedRead(pool, APP_ROLE, scope, { ...direct.config, values: fillPlaceholders(direct.params, values) });
    return direct.mapper(rows) as R[];
  };
  return Object.assign(run, { scoped });
}

/**
 * A statement written as SQL (what a builder cannot express: a data-modifying WITH, an INSERT … SELECT
 * that writes only when its checks pass) for compiledQuery, with the selection its output columns
 * carry, in order: each key is a field of the mapped rows, decoded as that column (or `sql<…>` with its
 * `mapWith`) would be in a builder's select.
 */
export function sqlStatement(executor: Executor, text: SQL, selection: Record<string, unknown>): Preparable {
  const dialect = (executor as unknown as { dialect: { sqlToQuery(sql: SQL): Query } }).dialect;
  const fields = Object.entries(selection).map(([key, field]) => ({ path: [key], field }));
  return {
    prepare: () => ({ query: dialect.sqlToQuery(text), fields, execute: () => Promise.reject(new Error('compiled use only')) }),
  } as unknown as Preparable;
}

export interface CompiledQueries<V extends Record<string, unknown>, R> {
  (executor: Executor, shape: string, values: V): Promise<R[]>;
  /** One shape on its own under `scope` (CompiledQuery.scoped). */
  scoped(db: AppDb, scope: Scope, shape: string, values: V): Promise<R[]>;
}

/**
 * A family of compiled queries whose shape depends on a few options (which filters are present, the
 * sort): one compiled query per shape key, up to `maxShapes`; beyond that, shapes are built per run
 * (unnamed), so a caller cannot fill the server's statement cache.
 */
export function compiledQueries<V extends Record<string, unknown>, R>(
  prefix: string,
  maxShapes: number,
  build: (executor: Executor, shape: string) => Preparable,
  options: CompileOptions = {},
): CompiledQueries<V, R> {
  const shapes = new Map<string, CompiledQuery<V, R>>();
  const compiledShape = (shape: string) => {
    let query = shapes.get(shape);
    if (!query && shapes.size < maxShapes) {
      query = compiledQuery<V, R>(`${prefix}_${shapes.size}`, (e) => build(e, shape), options);
      shapes.set(shape, query);
    }
    return query;
  };
  const run = (executor: Executor, shape: string, values: V): Promise<R[]> => {
    const query = compiledShape(shape);
    return query ? query(executor, values) : (build(executor, shape).prepare('').execute(values) as Promise<R[]>);
  };
  const scoped = (db: AppDb, scope: Scope, shape: string, values: V): Promise<R[]> => {
    const query = compiledShape(shape);
    return query ? query.scoped(db, scope, values) : withScope(db, scope, (tx) => run(tx, shape, values));
  };
  return Object.assign(run, { scoped });
}
