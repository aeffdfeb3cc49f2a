/**
 * Chaos suite set-up and tear-down: a folder for the scenario rows, then the summary table, printed
 * and written into docs/reliability.md (our section only; the file is re-read right before writing).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { repoRoot } from '../../src/config.ts';
import type { ScenarioRow } from './report.ts';

const START = '<!-- chaos:start -->';
const END = '<!-- chaos:end -->';

const SKELETON = `# Reliability and security

What Atrium was made to survive and resist, with the figures of the last run of each suite.
\`npm run test:chaos\` and \`npm run test:security\` rewrite their own section.

## Chaos (\`npm run test:chaos\`)

${START}
${END}

## Security (\`npm run test:security\`)

<!-- security:start -->
<!-- security:end -->
`;

export function renderTable(rows: ScenarioRow[], meta: { mode: string; seconds: number; when: string }): string {
  const esc = (s: string) => s.replaceAll('|', '\\|');
  const lines = [
    `Last run: ${meta.when}, mode \`${meta.mode}\`, ${meta.seconds} s in all.`,
    '',
    '| scenario | cases | failures | figures |',
    '| --- | ---: | ---: | --- |',
    ...rows.map(
      (r) =>
        `| ${esc(r.scenario)} | ${r.cases} | ${r.failures} | ${esc(
          Object.entries(r.figures)
            .map(([k, v]) => `${k}: ${v}`)
            .join('; '),
        )} |`,
    ),
    '',
    `Cases: ${rows.reduce((a, r) => a + r.cases - r.failures, 0)} held, ${rows.reduce((a, r) => a + r.failures, 0)} failed.`,
  ];
  return lines.join('\n');
}

export function writeSection(file: string, table: string): void {
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : SKELETON;
  let next: string;
  const a = current.indexOf(START);
  const b = current.indexOf(END);
  if (a >= 0 && b > a) {
    next = `${current.slice(0, a + START.length)}\n${table}\n${current.slice(b)}`;
  } else {
    next = `${current.trimEnd()}\n\n## Chaos (\`npm run test:chaos\`)\n\n${START}\n${table}\n${END}\n`;
  }
  fs.writeFileSync(file, next);
}

export default function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-chaos-results-'));
  project.provide('chaosResultsDir', dir);
  const started = Date.now();
  return () => {
    const rows = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as ScenarioRow)
      .sort((x, y) => x.order - y.order);
    fs.rmSync(dir, { recursive: true, force: true });
    if (rows.length === 0) return;
    if (rows.length >= 4 && !rows.some((r) => r.order === 5)) {
      rows.push({
        order: 5,
        scenario: 'Soak at half capacity',
        cases: 0,
        failures: 0,
        figures: { skipped: 'set CHAOS_SOAK=1 (not in CI mode)' },
      });
    }
    const table = renderTable(rows, {
      mode: process.env.CHAOS_MODE === 'ci' ? 'ci' : 'full',
      seconds: Math.round((Date.now() - started) / 1000),
      when: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    });
    process.stdout.write(`\nChaos summary\n\n${table}\n\n`);
    // A partial run (one file picked by name) prints its table but leaves the document alone.
    if (process.env.CHAOS_WRITE_DOCS !== '0' && rows.length >= 4) writeSection(path.join(repoRoot, 'docs', 'reliability.md'), table);
  };
}
