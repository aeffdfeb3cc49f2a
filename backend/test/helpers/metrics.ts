/** Reads `/metrics` of a test app and parses the Prometheus text into { 'name{labels}': value }. */
import { expect } from 'vitest';
import type { TestApp } from './app.ts';

export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)/.exec(line);
    if (m?.[1] && m[2]) out.set(m[1], Number(m[2]));
  }
  return out;
}

export async function scrapeMetrics(t: TestApp): Promise<Map<string, number>> {
  const res = await t.app.inject({ url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toContain('text/plain');
  return parseMetrics(res.body);
}

/** The sum of every series whose name (with labels) starts with the prefix. */
export const sumMetrics = (m: Map<string, number>, prefix: string) =>
  [...m].filter(([k]) => k.startsWith(prefix)).reduce((a, [, v]) => a + v, 0);
