/**
 * Tracing: the real `node src/server.ts` with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a local OTLP/HTTP
 * (JSON) receiver. A request produces an HTTP server span (and, on PostgreSQL, pg query spans) in one
 * trace, and every log line of that request carries the same trace id. Without the variable, no
 * span is exported and log lines carry no trace id.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ORIGIN, PASSWORD, uniqueEmail } from '../helpers/auth.ts';
import { waitFor } from '../helpers/wait.ts';
import { type Child, freshPostgresDatabase, isPostgres, spawnBackend } from './processes.ts';

interface Span {
  traceId: string;
  spanId: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
}

const spans: Span[] = [];
let receiver: http.Server;
let endpoint: string;
let server: Child;
const cleanups: (() => Promise<void>)[] = [];

/** OTLP/JSON ids are hex; accept base64 too. */
const hexId = (id: string) => (/^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex'));
const attr = (s: Span, key: string) => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v ? Object.values(v)[0] : undefined;
};

async function databaseEnv(): Promise<Record<string, string>> {
  if (isPostgres()) {
    const db = await freshPostgresDatabase();
    cleanups.push(db.drop);
    return { DATABASE_URL: db.url };
  }
  // The embedded database: the migrated test snapshot unpacked as the server's data directory (an
  // initdb and every migration from scratch would take far longer).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-tracing-'));
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  const testDb = inject('testDb');
  if (testDb.kind === 'pglite') {
    fs.mkdirSync(path.join(dir, 'pglite'));
    execFileSync('tar', ['xzf', testDb.snapshot, '-C', path.join(dir, 'pglite')]);
  }
  return { DATA_DIR: dir };
}

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      if (req.url === '/v1/traces' && String(req.headers['content-type']).includes('json')) {
        const doc = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: Span[] }[] }[] };
        for (const rs of doc.resourceSpans)
          for (const ss of rs.scopeSpans)
            for (const s of ss.spans) spans.push({ ...s, traceId: hexId(s.traceId), spanId: hexId(s.spanId) });
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  endpoint = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
  server = await spawnBackend('server', {
    ...(await databaseEnv()),
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_BSP_SCHEDULE_DELAY: '100',
  });
}, 170_000);

afterAll(async () => {
  await server?.stop();
  receiver?.close();
  for (const c of cleanups) await c().catch(() => {});
});

describe('OpenTelemetry tracing', () => {
  it('exports the HTTP request (and its PostgreSQL queries) as one trace whose id is on every log line of the request', async () => {
    const requestId = `req_trace_${Date.now()}`;
    const res = await fetch(`${server.url}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN, 'x-request-id': requestId },
      body: JSON.stringify({ email: uniqueEmail('trace'), password: PASSWORD, name: 'Trace' }),
    });
    expect(res.status).toBe(200);

    const line = await server.waitForLog((l) => l.requestId === requestId && l.msg === 'request completed');
    const traceId = line.traceId as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    // Every line written for this request carries the same trace id.
    const lines = server.logs.filter((l) => l.requestId === requestId);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l.traceId).toBe(traceId);

    const inTrace = await waitFor(
      async () => {
        const found = spans.filter((s) => s.traceId === traceId);
        const serverSpan = found.find((s) => s.kind === 2 && attr(s, 'http.request.method') === 'POST');
        if (!serverSpan) return undefined;
        if (isPostgres() && !found.some((s) => attr(s, 'db.system') === 'postgresql' || attr(s, 'db.system.name') === 'postgresql'))
          return undefined;
        return { found, serverSpan };
      },
      { timeoutMs: 15_000 },
    );
    expect(attr(inTrace.serverSpan, 'url.path') ?? attr(inTrace.serverSpan, 'http.target')).toContain('/api/auth/sign-up/email');
    // The server span is the one the access-log line was written in (or its ancestor's trace).
    expect(inTrace.found.map((s) => s.spanId)).toContain(line.spanId);
    if (isPostgres()) {
      const dbSpans = inTrace.found.filter((s) => attr(s, 'db.system') === 'postgresql' || attr(s, 'db.system.name') === 'postgresql');
      expect(dbSpans.length).toBeGreaterThan(0);
    } else {
      // PGlite runs inside the process: it is not the pg driver, so no database spans exist.
      expect(inTrace.found.some((s) => attr(s, 'db.system') === 'postgresql')).toBe(false);
    }
  });

  it('traces each job run (the verification mail of the sign-up) with its log lines', async () => {
    const done = await server.waitForLog((l) => l.msg === 'job completed' && l.queue === 'mail.send');
    expect(done.traceId).toMatch(/^[0-9a-f]{32}$/);
    const span = await waitFor(async () => spans.find((s) => s.traceId === done.traceId && s.name === 'job mail.send'));
    expect(span.kind).toBe(5); // CONSUMER
    expect(attr(span, 'messaging.message.id')).toBe(done.jobId);
  });

  it('skips health probes and adds no trace ids to lines written outside a request', async () => {
    const before = spans.length;
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    expect(spans.slice(before).some((s) => attr(s, 'url.path') === '/healthz')).toBe(false);
    const startLine = server.logs.find((l) => l.msg === 'Atrium API listening');
    expect(startLine?.traceId).toBeUndefined();
  });
});
