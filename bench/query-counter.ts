/**
 * Preloaded into the API by the bench (`node --import ./bench/query-counter.ts`): counts the queries
 * node-postgres sends, except the job queue's (pgboss) polling, (each one is a round trip to the database: BEGIN and COMMIT included). On SIGUSR2
 * the counts (statements, round trips) are written to $BENCH_QUERY_COUNT_FILE, so the bench can report them per request.
 */
import fs from 'node:fs';
import pg from 'pg';

let count = 0;
/**
 * Round trips: statements sent while the connection had nothing in flight. In pipeline mode
 * (db/client.ts) a statement written behind another one still unanswered shares its round trip.
 */
let trips = 0;
type InFlight = { _activeQuery?: unknown; _sentQueryQueue?: unknown[]; _queryQueue?: unknown[] };
/** BENCH_QUERY_LOG: also append each query's text (debugging only; it slows the API down). */
const logFile = process.env.BENCH_QUERY_LOG;
const original = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
  const text = String((args[0] as { text?: string })?.text ?? args[0]);
  // The job queue's polling is background work, not the request's.
  if (!text.includes('pgboss')) {
    // A scoped read (backend/src/db/scoped-read.ts) sends its scope statement and its query together.
    count += (args[0] as { statementCount?: number })?.statementCount ?? 1;
    const c = this as unknown as InFlight;
    if (!c._activeQuery && !c._sentQueryQueue?.length && !c._queryQueue?.length) trips++;
  }
  if (logFile) fs.appendFileSync(logFile, `${text.slice(0, 160).replace(/\s+/g, ' ')}\n`);
  return (original as (...a: unknown[]) => unknown).apply(this, args);
} as typeof original;

const file = process.env.BENCH_QUERY_COUNT_FILE;
if (file) process.on('SIGUSR2', () => fs.writeFileSync(file, `${count} ${trips}`));
