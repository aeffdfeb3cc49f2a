/**
 * OpenTelemetry tracing, on when OTEL_EXPORTER_OTLP_ENDPOINT is set (off by default, at no cost: the
 * SDK is not even loaded). Spans: incoming and outgoing HTTP (instrumentation-http), PostgreSQL
 * queries (instrumentation-pg) and fetch (instrumentation-undici), exported over OTLP/HTTP (JSON) to
 * `$OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces`. The standard OTEL_* variables (OTEL_SERVICE_NAME,
 * OTEL_BSP_SCHEDULE_DELAY, OTEL_TRACES_SAMPLER, …) apply.
 *
 * Load order matters: the instrumentations hook `require`, so they must be registered before pg and
 * Fastify (which loads node:http) are first loaded. server.ts and worker.ts import this module
 * first, and it registers the hooks synchronously, before any later import of theirs is evaluated. (pg and
 * Fastify are CommonJS, so require hooks suffice; undici is traced through diagnostics_channel.)
 * Log lines carry the active span's ids (lib/logger.ts).
 */
import { createRequire } from 'node:module';

const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();

let shutdown: (() => Promise<void>) | undefined;

if (endpoint) {
  // Loaded synchronously (the OpenTelemetry packages ship CommonJS): a top-level await here would let
  // the importing module's other imports run before the hooks are in place.
  const require = createRequire(import.meta.url);
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { UndiciInstrumentation } =
    require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  // Traces only: metrics are Prometheus (GET /metrics), logs are pino on stdout.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME || (process.argv[1]?.endsWith('worker.ts') ? 'atrium-worker' : 'atrium-api'),
    traceExporter: new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` }),
    instrumentations: [
      new HttpInstrumentation({
        // Scrapes and health probes would drown the interesting traces.
        ignoreIncomingRequestHook: (req) => /^\/(metrics|healthz|readyz)\b/.test(req.url ?? ''),
      }),
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
      new UndiciInstrumentation(),
    ],
  });
  sdk.start();
  shutdown = () => sdk.shutdown().catch(() => {});
}

/** Flushes the spans still buffered (called on graceful shutdown). */
export async function shutdownTracing(): Promise<void> {
  await shutdown?.();
}

export const tracingEnabled = Boolean(endpoint);
