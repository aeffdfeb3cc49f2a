import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
let release: () => void = () => {};
let entered: () => void = () => {};
const inRoute = new Promise<void>((r) => {
  entered = r;
});

beforeAll(async () => {
  t = await startTestApp({
    work: true,
    extraRoutes: async (app) => {
      app.get('/test/slow', async () => {
        entered();
        await new Promise<void>((r) => {
          release = r;
        });
        return { finished: true };
      });
    },
  });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await t?.close();
});

describe('graceful shutdown', () => {
  it('waits for an in-flight request, then stops the worker and refuses new connections', async () => {
    const { port } = t.app.server.address() as { port: number };
    const inflight = fetch(`http://127.0.0.1:${port}/test/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await inRoute;

    let closed = false;
    const closing = t.close().then(() => {
      closed = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(closed).toBe(false); // still waiting for the request
    expect(t.jobs.isWorking).toBe(true);

    release();
    expect(await inflight).toEqual({ status: 200, body: { finished: true } });
    await closing;
    expect(closed).toBe(true);
    expect(t.jobs.isWorking).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
