/**
 * Spans of our own, beside the automatic ones (src/tracing.ts). With tracing off the OpenTelemetry API
 * is a no-op: these cost a couple of function calls.
 */
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

const tracer = trace.getTracer('atrium');

/** One job run as a CONSUMER span: its log lines (and queries, HTTP calls) belong to this trace. */
export function inJobSpan<T>(queue: string, jobId: string, attempt: number, fn: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(
    `job ${queue}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'pg-boss',
        'messaging.destination.name': queue,
        'messaging.message.id': jobId,
        'atrium.job.attempt': attempt,
      },
    },
    async (span) => {
      try {
        return await fn();
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}
