'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { ApiError, api, call, type Schemas } from './api/client';

export type AiSuggestion = Schemas['AiSuggestion'];
export type AiUsageReport = Schemas['AiUsageReport'];
export type UsageGroupBy = AiUsageReport['groupBy'];

export const aiKeys = {
  usage: (t: string, from: string, to: string, groupBy: UsageGroupBy) => ['tenant', t, 'ai-usage', { from, to, groupBy }] as const,
};

/** 503 `ai_not_configured`: the server has no AI provider; its message says how to configure one. */
export const isAiNotConfigured = (e: unknown): e is ApiError => e instanceof ApiError && e.code === 'ai_not_configured';

export async function proposeBreakdown(tenantId: string, taskId: string) {
  const { data } = await call(
    api.POST('/api/v1/tenants/{tenantId}/ai/task-breakdown', {
      params: { path: { tenantId }, query: { async: 'false' } },
      body: { taskId },
    }),
  );
  if (!('suggestion' in data)) throw new ApiError({ status: 202, code: 'unexpected_response', message: 'The server queued the request' });
  return data;
}

export async function acceptBreakdown(tenantId: string, suggestionId: string, indexes: number[]) {
  return (
    await call(
      api.POST('/api/v1/tenants/{tenantId}/ai/task-breakdown/{suggestionId}/accept', {
        params: { path: { tenantId, suggestionId } },
        body: { indexes },
      }),
    )
  ).data;
}

export function useAiUsage(tenantId: string, from: string, to: string, groupBy: UsageGroupBy, enabled = true) {
  return useQuery({
    queryKey: aiKeys.usage(tenantId, from, to, groupBy),
    queryFn: async ({ signal }) =>
      (await call(api.GET('/api/v1/tenants/{tenantId}/ai/usage', { params: { path: { tenantId }, query: { from, to, groupBy } }, signal })))
        .data,
    placeholderData: keepPreviousData,
    enabled,
  });
}

/** One Server-Sent Event: its name and its JSON data. */
export interface SseEvent {
  event: string;
  data: unknown;
}

/** Splits a byte stream of Server-Sent Events into events (`event:` + `data:` lines, blank line between). */
export async function* readSse(stream: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<SseEvent> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  const onAbort = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true }).replaceAll('\r\n', '\n');
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        if (data.length) {
          let parsed: unknown = data.join('\n');
          try {
            parsed = JSON.parse(parsed as string);
          } catch {
            // plain text data
          }
          yield { event, data: parsed };
        }
        end = buffer.indexOf('\n\n');
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Streams a project summary through the typed client (`Accept: text/event-stream`, parseAs stream):
 * calls `onText` with each chunk as it arrives. A refusal before the stream starts (503
 * ai_not_configured, 402, 429…) throws an ApiError; an `error` event midway throws one too.
 */
export async function streamProjectSummary(tenantId: string, projectId: string, onText: (text: string) => void, signal: AbortSignal) {
  const stream = await call(
    api.POST('/api/v1/tenants/{tenantId}/ai/project-summary', {
      params: { path: { tenantId }, query: { async: 'false' } },
      body: { projectId },
      headers: { accept: 'text/event-stream' },
      parseAs: 'stream',
      signal,
    }),
  );
  if (!stream) throw new ApiError({ status: 200, code: 'unexpected_response', message: 'The server sent an empty stream' });
  for await (const ev of readSse(stream as ReadableStream<Uint8Array>, signal)) {
    if (ev.event === 'delta') onText((ev.data as { text: string }).text);
    else if (ev.event === 'error') {
      const e = ev.data as { code: ApiError['code']; message: string; requestId?: string; details?: unknown };
      throw new ApiError({ status: 200, code: e.code, message: e.message, requestId: e.requestId, details: e.details });
    } else if (ev.event === 'done') return ev.data as { usage?: Schemas['AiUsageSummary'] };
  }
  if (signal.aborted) throw new DOMException('Canceled', 'AbortError');
  throw new ApiError({ status: 200, code: 'unexpected_response', message: 'The summary stream ended early. Try again.' });
}

/** Micro-dollars (1 USD = 1,000,000) as dollars: small amounts keep their digits. */
export function formatMicros(micros: number): string {
  const dollars = micros / 1_000_000;
  const digits = dollars !== 0 && Math.abs(dollars) < 0.01 ? 6 : dollars < 100 ? 4 : 2;
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: 2,
    maximumFractionDigits: digits,
  }).format(dollars);
}

export const formatNumber = (n: number) => new Intl.NumberFormat('en-US').format(n);
