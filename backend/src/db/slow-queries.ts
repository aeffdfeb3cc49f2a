/**
 * Slow-query log: every query of a pooled pg client or of the embedded PGlite instance is timed, and
 * one slower than SLOW_QUERY_MS is logged at warn with its duration, the request (or job) id and the
 * tenant/user when known (lib/request-context.ts). The SQL text is logged, never its parameters.
 */
import type { Logger } from 'pino';
import { type RequestContext, requestContext } from '../lib/request-context.ts';

type QueryFn = (...args: unknown[]) => unknown;
interface Queryable {
  query: QueryFn;
  transaction?: (fn: (tx: Queryable) => Promise<unknown>) => Promise<unknown>;
}

const WATCHED = Symbol.for('atrium.slowQueries');

function textOf(arg: unknown): string {
  const text = typeof arg === 'string' ? arg : ((arg as { text?: string } | null)?.text ?? '');
  return text.replace(/\s+/g, ' ').trim().slice(0, 500);
}

function report(logger: Logger, thresholdMs: number, started: number, query: unknown, failed: boolean, ctx: RequestContext | undefined) {
  const durationMs = Math.round(performance.now() - started);
  if (durationMs < thresholdMs) return;
  logger.warn(
    {
      slowQuery: true,
      durationMs,
      // The text is only cut and cleaned for a query that is logged (most are not).
      sql: textOf(query),
      requestId: ctx?.requestId,
      ...(ctx?.tenantId ? { tenantId: ctx.tenantId } : {}),
      ...(ctx?.userId ? { userId: ctx.userId } : {}),
      ...(failed ? { failed: true } : {}),
    },
    'slow query',
  );
}

function wrapQuery(target: Queryable, thresholdMs: number, logger: Logger, callbacks: boolean) {
  const original = target.query.bind(target) as QueryFn;
  target.query = (...args: unknown[]) => {
    const started = performance.now();
    // The request (or job) that asked, taken now: a driver callback may run in another async context.
    const ctx = requestContext.getStore();
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      // Callback style: pg-pool's pool.query (timed there, when `callbacks`), and pg-pool calling a
      // pooled client on its behalf (not timed again).
      if (!callbacks) return original(...args);
      args[last] = (err: unknown, ...rest: unknown[]) => {
        report(logger, thresholdMs, started, args[0], Boolean(err), ctx);
        return (callback as (...a: unknown[]) => unknown)(err, ...rest);
      };
      return original(...args);
    }
    const submittable = args[0] as { submit?: unknown; callback?: unknown } | null;
    if (typeof submittable?.submit === 'function' && typeof submittable.callback === 'function') {
      // A query object carrying its own callback (a scoped read, db/scoped-read.ts): timed through it.
      const callback = submittable.callback as (...a: unknown[]) => unknown;
      submittable.callback = (err: unknown, ...rest: unknown[]) => {
        report(logger, thresholdMs, started, submittable, Boolean(err), ctx);
        return callback(err, ...rest);
      };
      return original(...args);
    }
    const result = original(...args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(
        () => report(logger, thresholdMs, started, args[0], false, ctx),
        () => report(logger, thresholdMs, started, args[0], true, ctx),
      );
    }
    return result;
  };
}

/**
 * Times the queries of a pg pool (`pool.query`), of its clients (promise-style calls: transactions),
 * or of a PGlite instance and its transactions.
 */
export function watchSlowQueries(target: object, thresholdMs: number, logger: Logger, options: { callbacks?: boolean } = {}): void {
  const t = target as Queryable & { [WATCHED]?: boolean };
  if (thresholdMs <= 0 || t[WATCHED]) return;
  t[WATCHED] = true;
  wrapQuery(t, thresholdMs, logger, options.callbacks ?? false);
  const transaction = t.transaction?.bind(t);
  if (transaction) {
    // PGlite runs a transaction's queries on a separate object handed to the callback.
    t.transaction = (fn) =>
      transaction((tx) => {
        wrapQuery(tx, thresholdMs, logger, false);
        return fn(tx);
      });
  }
}
