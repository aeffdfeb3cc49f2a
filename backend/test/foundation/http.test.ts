import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/lib/errors.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({
    extraRoutes: async (app) => {
      app.get('/test/throws', async () => {
        throw new Error('secret internal detail: password=hunter2');
      });
      app.get('/test/conflict', async () => {
        throw new AppError('conflict', 'Already exists', { field: 'slug' });
      });
    },
  });
});
afterAll(async () => {
  await t?.close();
});

function expectErrorEnvelope(body: unknown, code: string) {
  expect(body).toMatchObject({ success: false, error: { code, message: expect.any(String), requestId: expect.any(String) } });
  return body as { error: { code: string; message: string; details?: unknown; requestId: string } };
}

describe('envelope and error catalogue', () => {
  it('answers health and readiness', async () => {
    expect((await t.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'current' } });
  });

  it('wraps success in the envelope', async () => {
    const res = await t.app.inject({ url: '/api/v1/status' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ success: true, data: { status: 'ok', version: expect.any(String), environment: 'test' } });
  });

  it('400 lists each failing path', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/dev/mail',
      payload: { to: 'not-an-email', subject: '', text: 5 },
    });
    expect(res.statusCode).toBe(400);
    const body = expectErrorEnvelope(res.json(), 'validation_error');
    const paths = (body.error.details as { path: string; location: string }[]).map((d) => d.path).sort();
    expect(paths).toEqual(['subject', 'text', 'to']);
    expect(body.error.requestId).toBe(res.headers['x-request-id']);
  });

  it('400 on malformed JSON', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/dev/mail',
      headers: { 'content-type': 'application/json' },
      payload: '{"to": ',
    });
    expect(res.statusCode).toBe(400);
    expectErrorEnvelope(res.json(), 'validation_error');
  });

  it('400 on a bad query string', async () => {
    const res = await t.app.inject({ url: '/api/v1/dev/outbox?limit=abc' });
    expect(res.statusCode).toBe(400);
    const body = expectErrorEnvelope(res.json(), 'validation_error');
    expect(body.error.details).toEqual([expect.objectContaining({ location: 'querystring', path: 'limit' })]);
  });

  it('404 for unknown routes', async () => {
    const res = await t.app.inject({ url: '/api/v1/does-not-exist' });
    expect(res.statusCode).toBe(404);
    expectErrorEnvelope(res.json(), 'not_found');
  });

  it('405 for a known path with another method', async () => {
    const res = await t.app.inject({ method: 'DELETE', url: '/api/v1/status' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toContain('GET');
    expectErrorEnvelope(res.json(), 'method_not_allowed');
  });

  it('413 when the body exceeds the limit', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/dev/mail',
      payload: { to: 'a@example.com', subject: 'big', text: 'x'.repeat(2 * 1024 * 1024) },
    });
    expect(res.statusCode).toBe(413);
    expectErrorEnvelope(res.json(), 'payload_too_large');
  });

  it('415 for a body that is not JSON', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/dev/mail',
        headers: { 'content-type': type },
        payload: 'to=a@example.com',
      });
      expect(res.statusCode, type).toBe(415);
      expectErrorEnvelope(res.json(), 'unsupported_media_type');
    }
  });

  it('a route that throws returns a bare 500 envelope', async () => {
    const res = await t.app.inject({ url: '/test/throws' });
    expect(res.statusCode).toBe(500);
    const body = res.json();
    expect(body).toEqual({
      success: false,
      error: { code: 'internal_error', message: 'Internal server error', requestId: res.headers['x-request-id'] },
    });
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toContain('stack');
  });

  it('typed errors keep their code, status and details', async () => {
    const res = await t.app.inject({ url: '/test/conflict' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'conflict', message: 'Already exists', details: { field: 'slug' } });
  });
});

describe('request id', () => {
  it('echoes a well-formed x-request-id, on success and on error', async () => {
    const ok = await t.app.inject({ url: '/api/v1/status', headers: { 'x-request-id': 'trace-abc.123' } });
    expect(ok.headers['x-request-id']).toBe('trace-abc.123');
    const err = await t.app.inject({ url: '/nope', headers: { 'x-request-id': 'trace-def' } });
    expect(err.headers['x-request-id']).toBe('trace-def');
    expect(err.json().error.requestId).toBe('trace-def');
  });

  it('replaces a malformed one and generates one when absent', async () => {
    const bad = await t.app.inject({ url: '/api/v1/status', headers: { 'x-request-id': 'evil\u0000"><script>' } });
    expect(bad.headers['x-request-id']).toMatch(/^req_[A-Za-z0-9]{20}$/);
    const none = await t.app.inject({ url: '/api/v1/status' });
    expect(none.headers['x-request-id']).toMatch(/^req_[A-Za-z0-9]{20}$/);
  });
});

describe('security headers and CORS', () => {
  it('sets security headers and hides the framework', async () => {
    const res = await t.app.inject({ url: '/api/v1/status' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('allows only listed origins', async () => {
    const allowed = await t.app.inject({ url: '/api/v1/status', headers: { origin: 'http://localhost:3000' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    const foreign = await t.app.inject({ url: '/api/v1/status', headers: { origin: 'https://evil.example' } });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });
});
