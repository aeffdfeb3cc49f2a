/**
 * Rate limits: the per-minute number, the RateLimit-* headers and the 429 envelope; one shared count
 * across two API processes through Redis; each process counting alone without Redis; and Redis
 * failing mid-run (a TCP proxy in front of the real Redis is cut) without a single 5xx.
 */
import net from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';

const REDIS = { host: '127.0.0.1', port: 6379 };
const LIMIT = 10;
const apps: TestApp[] = [];

async function app(env: Record<string, string>) {
  const t = await startTestApp({ env: { RATE_LIMITS: 'on', RATE_LIMIT_ANONYMOUS_PER_MINUTE: String(LIMIT), ...env } });
  apps.push(t);
  return t;
}

afterAll(async () => {
  for (const t of apps) await t.close();
});

/** A distinct client address per test, so counts never mix between tests or runs. */
const clientIp = () => `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
const hit = (t: TestApp, ip: string) => t.app.inject({ url: '/api/v1/status', remoteAddress: ip });

/** A TCP proxy to Redis that the test can cut and restore. */
async function redisProxy() {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(REDIS);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', drop);
        upstream.on('error', drop);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server?.address() as net.AddressInfo | undefined)?.port ?? port;
        resolve();
      });
    });
  await listen();
  return {
    url: () => `redis://127.0.0.1:${port}`,
    cut: async () => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      await new Promise<void>((r) => server?.close(() => r()));
    },
    restore: listen,
  };
}

describe('rate limits', () => {
  it('limits at the configured number with RateLimit headers and a 429 envelope', async () => {
    const t = await app({});
    const ip = clientIp();
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof hit>> | undefined;
    for (let i = 0; i < LIMIT + 3; i++) {
      last = await hit(t, ip);
      statuses.push(last.statusCode);
      if (i === 0) {
        expect(last.headers['ratelimit-limit']).toBe(String(LIMIT));
        expect(last.headers['ratelimit-remaining']).toBe(String(LIMIT - 1));
        expect(Number(last.headers['ratelimit-reset'])).toBeGreaterThan(0);
      }
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(statuses.slice(LIMIT)).toEqual([429, 429, 429]);
    expect(last?.headers['retry-after']).toBeTruthy();
    expect(last?.json()).toMatchObject({ success: false, error: { code: 'rate_limited', requestId: expect.any(String) } });
    // Another client is not affected.
    expect((await hit(t, clientIp())).statusCode).toBe(200);
  });

  it('without Redis each process limits alone', async () => {
    const [a, b] = [await app({}), await app({})];
    const ip = clientIp();
    const results = [];
    for (let i = 0; i < LIMIT; i++) results.push((await hit(a, ip)).statusCode, (await hit(b, ip)).statusCode);
    expect(results.every((s) => s === 200)).toBe(true); // 2 × LIMIT requests, LIMIT per process
  });

  it('two processes sharing Redis enforce one limit', async () => {
    const [a, b] = [
      await app({ REDIS_URL: `redis://${REDIS.host}:${REDIS.port}` }),
      await app({ REDIS_URL: `redis://${REDIS.host}:${REDIS.port}` }),
    ];
    // Both connected to Redis before they started (plugins/rate-limit.ts waits for it).
    const ip = clientIp();
    const results: number[] = [];
    for (let i = 0; i < LIMIT; i++) results.push((await hit(a, ip)).statusCode, (await hit(b, ip)).statusCode);
    expect(results.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(results.filter((s) => s === 429)).toHaveLength(LIMIT);
  });

  it('keeps serving when Redis goes away mid-run, and shares counts again when it returns', async () => {
    const proxy = await redisProxy();
    const t = await app({ REDIS_URL: proxy.url() });
    await new Promise((r) => setTimeout(r, 300));
    const ip = clientIp();
    expect((await hit(t, ip)).statusCode).toBe(200);
    await proxy.cut();
    const during: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) during.push((await hit(t, ip)).statusCode);
    expect(during.every((s) => s === 200 || s === 429)).toBe(true); // never a 5xx
    expect(during.filter((s) => s === 200).length).toBeGreaterThan(0); // still serving
    expect(during.at(-1)).toBe(429); // per-process limit still applies
    await proxy.restore();
    await new Promise((r) => setTimeout(r, 2_500)); // reconnect back-off
    const fresh = clientIp();
    const after = await hit(t, fresh);
    expect(after.statusCode).toBe(200);
    expect(after.headers['ratelimit-remaining']).toBe(String(LIMIT - 1));
    // The count is in Redis again, where every process sees it.
    const redis = new Redis(REDIS);
    try {
      expect(await redis.keys(`atrium-rl:*ip:${fresh}`)).toHaveLength(1);
    } finally {
      redis.disconnect();
    }
  });
});
