/**
 * A scoped read in one message, without BEGIN or COMMIT (PostgreSQL, node-postgres).
 *
 * In the extended query protocol every statement sent before a Sync runs in one implicit transaction,
 * which the Sync commits. A read that is a single statement therefore does not need BEGIN, the scope
 * statement, the query and COMMIT: it sends the scope statement and the query back to back with one
 * Sync at the end. The scope's `set_config(…, true)` settings are transaction-local exactly as in
 * withScope (db/tenant.ts): the query runs under them, as the application role, with RLS reading them,
 * and they vanish at the Sync, before anything else the connection is given. If the scope statement
 * fails, the server skips everything up to the Sync, so the query never runs unscoped.
 *
 * What that saves per read, against BEGIN/scope/query/COMMIT: two of the four statements the server
 * runs, the COMMIT's socket write and Drizzle's transaction set-up (docs/performance.md, change 29).
 *
 * The same holds for a write that is one statement (a task's create: tasks.repository.ts): the server
 * commits the implicit transaction at the Sync, before it answers ReadyForQuery, and pg settles the
 * query only then, so the caller learns of success once the change is committed (and durable, as with a
 * COMMIT: synchronous_commit applies). A failing statement (or commit) answers with its error and rolls
 * everything back, the scope settings included (docs/performance.md, change 35).
 *
 * `ScopedQuery` is a node-postgres submittable: pg's own Query (prepared statement bookkeeping, row
 * parsing with the caller's type parsers), with the scope statement's messages written in front of it
 * and its answer (one row, one CommandComplete) consumed before the query's own.
 */
import pg from 'pg';
import { SCOPE_SETTINGS, type Scope, scopeValues } from './tenant.ts';

/** The scope statement with its values as parameters: one text, so the server's parse is trivial. */
const SCOPE_TEXT = `select ${SCOPE_SETTINGS.map((name, i) => `set_config('${name}', $${i + 1}, true)`).join(', ')}`;

interface Connection {
  parse(msg: { text: string; name?: string }): void;
  bind(msg: { statement?: string; portal?: string; values: unknown[] }): void;
  execute(msg: { portal?: string }): void;
  submittedNamedStatements: Record<string, string>;
  parsedStatements: Record<string, string>;
  stream: { cork?(): void; uncork?(): void };
}

interface QueryInternals {
  submit(connection: Connection): Error | null;
  handleDataRow(msg: unknown): void;
  handleCommandComplete(msg: unknown, connection: Connection): void;
  handleError(err: Error, connection: Connection): void;
}

const PgQuery = (pg as unknown as { Query: new (config: object, values?: unknown, callback?: unknown) => QueryInternals }).Query;

export interface ScopedQueryConfig {
  name: string;
  text: string;
  values: unknown[];
  rowMode: 'array';
  types: unknown;
}

export class ScopedQuery extends PgQuery {
  /** Two statements on the wire (read by the bench's statement counter). */
  readonly statementCount = 2;
  readonly #scopeValues: string[];
  readonly #name: string;
  /** 'scope' while the scope statement's answer is arriving; the query's own answer follows. */
  #phase: 'submit' | 'scope' | 'query' = 'submit';
  /** Whether this submission sent the query's Parse (the statement was new on the connection). */
  #parseSent = false;

  constructor(role: string, scope: Scope, config: ScopedQueryConfig, callback: (err: Error | null, result?: pg.QueryResult) => void) {
    super(config, undefined, callback);
    this.#name = config.name;
    this.#scopeValues = scopeValues(role, scope);
  }

  /*
   * node-postgres records a named statement as parsed when a ParseComplete arrives for the active
   * query, by the query's name. The scope statement's ParseComplete comes first: while its answer is
   * arriving the name reads as empty, so only the query's own ParseComplete is recorded under it.
   */
  get name(): string | undefined {
    return this.#phase === 'scope' ? undefined : this.#name;
  }

  set name(_value: string | undefined) {
    // pg's Query constructor assigns it; the name is fixed at construction.
  }

  override submit(connection: Connection): Error | null {
    connection.stream.cork?.();
    try {
      this.#parseSent =
        connection.parsedStatements[this.#name] === undefined && connection.submittedNamedStatements[this.#name] === undefined;
      connection.parse({ text: SCOPE_TEXT });
      connection.bind({ values: this.#scopeValues });
      connection.execute({});
      const error = super.submit(connection);
      this.#phase = 'scope';
      return error;
    } finally {
      connection.stream.uncork?.();
    }
  }

  override handleDataRow(msg: unknown): void {
    if (this.#phase !== 'scope') super.handleDataRow(msg);
  }

  override handleCommandComplete(msg: unknown, connection: Connection): void {
    if (this.#phase === 'scope') this.#phase = 'query';
    else super.handleCommandComplete(msg, connection);
  }

  override handleError(err: Error, connection: Connection): void {
    // The scope statement failed: the server skipped the query's Parse with everything else, so the
    // statement is not on the connection (pg only forgets it when the name reads as set).
    if (this.#phase === 'scope' && this.#parseSent) delete connection.submittedNamedStatements[this.#name];
    this.#phase = 'query';
    super.handleError(err, connection);
  }
}

/** Runs one prepared, read-only statement under `scope` on a pooled connection (see above). */
export async function scopedRead(pool: pg.Pool, role: string, scope: Scope, config: ScopedQueryConfig): Promise<unknown[][]> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    return await new Promise<unknown[][]>((resolve, reject) => {
      client.query(
        new ScopedQuery(role, scope, config, (err, result) => {
          if (err) reject(err);
          else resolve((result?.rows ?? []) as unknown[][]);
        }) as unknown as pg.QueryConfig,
      );
    });
  } catch (err) {
    // A connection-level failure (no SQLSTATE) leaves the client unusable: the pool drops it.
    if (!(err as { code?: unknown }).code) broken = err as Error;
    throw err;
  } finally {
    client.release(broken);
  }
}
