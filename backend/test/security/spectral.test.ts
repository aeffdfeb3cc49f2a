/**
 * Spectral with the OWASP API Security ruleset (test/security/spectral.owasp.yaml, which extends
 * @stoplight/spectral-owasp-ruleset) over the committed backend/openapi.json: no errors.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { record } from './support.ts';

const BACKEND = path.resolve(import.meta.dirname, '../..');
const SPECTRAL = path.resolve(BACKEND, '../node_modules/.bin/spectral');

interface Finding {
  code: string;
  severity: number;
  path: string[];
  message: string;
}

describe('Spectral OWASP ruleset', () => {
  it('finds no errors in openapi.json', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [SPECTRAL, 'lint', '-r', 'test/security/spectral.owasp.yaml', 'openapi.json', '-f', 'json', '-q', '--fail-severity', 'error'],
      { cwd: BACKEND, maxBuffer: 64 * 1024 * 1024 },
    ).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '[]' }));
    const findings = JSON.parse(stdout || '[]') as Finding[];
    const errors = findings.filter((f) => f.severity === 0);
    const warnings = findings.filter((f) => f.severity === 1);
    const byRule = new Map<string, number>();
    for (const w of warnings) byRule.set(w.code, (byRule.get(w.code) ?? 0) + 1);
    const doc = JSON.parse(fs.readFileSync(path.join(BACKEND, 'openapi.json'), 'utf8')) as { paths: Record<string, object> };
    const operations = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    const top = [...byRule]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([k, v]) => `${k.replace('owasp:', '')} ${v}`)
      .join(', ');
    record({
      check: 'Spectral OWASP ruleset',
      order: 4,
      cases: operations,
      failures: errors.length,
      figures: `${operations} operations linted; ${errors.length} errors, ${warnings.length} warnings (${top})`,
    });
    expect(
      errors.map((e) => `${e.code} ${e.path.join('.')}: ${e.message}`),
      'Spectral errors',
    ).toEqual([]);
  });
});
