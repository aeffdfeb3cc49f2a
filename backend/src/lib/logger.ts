import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { AppConfig } from '../config.ts';

/** Paths never written to logs, wherever they appear in a log object. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.token',
  '*.secret',
  '*.apiKey',
  'password',
  'token',
  'secret',
];

/**
 * With tracing on (src/tracing.ts), every line written inside a span carries its `traceId` and
 * `spanId`, so a log line leads to its trace and back. With tracing off there is no active span and
 * nothing is added (the request's lines already carry `requestId`); the lookup costs next to nothing.
 */
function traceIds(): Record<string, string> {
  const ctx = trace.getActiveSpan()?.spanContext();
  return ctx && isSpanContextValid(ctx) ? { traceId: ctx.traceId, spanId: ctx.spanId } : {};
}

/**
 * In production, log lines go to stdout through an asynchronous buffer (sonic-boom, `sync: false`):
 * the request path never waits for a write(2). Pino flushes the buffer synchronously on exit (also on
 * process.exit and a fatal error), so a crash loses no line. Elsewhere: synchronous, as pino defaults.
 */
function defaultDestination(config: AppConfig): DestinationStream | undefined {
  return config.isProduction ? pino.destination({ dest: 1, sync: false, minLength: 4096 }) : undefined;
}

export function createLogger(config: AppConfig, destination: DestinationStream | undefined = defaultDestination(config)): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { service: 'atrium', env: config.appEnv },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      mixin: traceIds,
    },
    destination,
  );
}
