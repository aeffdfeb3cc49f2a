/**
 * Global setup/teardown of the security suite: clears the previous results, then prints the summary
 * table (check, cases run, failures, figures) and writes it into docs/reliability.md between the
 * `<!-- security:start -->` and `<!-- security:end -->` markers.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CheckResult } from './support.ts';

const RESULTS_DIR = path.resolve(import.meta.dirname, '../../test-results/security');
const DOC = path.resolve(import.meta.dirname, '../../../docs/reliability.md');

const SKELETON = `# Reliability and security

Figures from the two suites of issue 11. \`npm run test:security\` and \`npm run test:chaos\` each rewrite
their own section below at the end of a run; [security.md](security.md) says what is defended where.

## Security (\`npm run test:security\`)

<!-- security:start -->
<!-- security:end -->

## Chaos (\`npm run test:chaos\`)

<!-- chaos:start -->
<!-- chaos:end -->
`;

export function renderTable(results: CheckResult[], mode: string, when: string): string {
  const rows = results.map((r) => `| ${r.check} | ${r.cases} | ${r.failures} | ${r.figures.replace(/\|/g, '\\|')} |`);
  const total = results.reduce((a, r) => ({ cases: a.cases + r.cases, failures: a.failures + r.failures }), { cases: 0, failures: 0 });
  return [
    `Last run: ${when}, mode \`${mode}\`.`,
    '',
    '| Check | Cases run | Failures | Figures |',
    '| --- | ---: | ---: | --- |',
    ...rows,
    `| **Total** | **${total.cases}** | **${total.failures}** | |`,
  ].join('\n');
}

export function writeSection(doc: string, table: string): string {
  const base = doc.includes('<!-- security:start -->')
    ? doc
    : `${doc.trimEnd()}\n\n## Security (\`npm run test:security\`)\n\n<!-- security:start -->\n<!-- security:end -->\n`;
  return base.replace(/<!-- security:start -->[\s\S]*?<!-- security:end -->/, `<!-- security:start -->\n${table}\n<!-- security:end -->`);
}

export default function setup() {
  fs.rmSync(RESULTS_DIR, { recursive: true, force: true });
  return () => {
    if (!fs.existsSync(RESULTS_DIR)) return;
    const results = fs
      .readdirSync(RESULTS_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(fs.readFileSync(path.join(RESULTS_DIR, f), 'utf8')) as CheckResult)
      .sort((a, b) => a.order - b.order || a.check.localeCompare(b.check));
    if (results.length === 0) return;
    const mode = process.env.SECURITY_MODE === 'ci' && process.env.SECURITY_FULL !== '1' ? 'ci' : 'full';
    const table = renderTable(results, mode, `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`);
    console.log(`\nSecurity summary\n\n${table}\n`);
    // A run of some files only (vitest run … test/security/x.test.ts) prints its rows but leaves the
    // document's table, which describes a whole run, alone.
    const files = fs.readdirSync(import.meta.dirname).filter((f) => f.endsWith('.test.ts')).length;
    if (results.length < files) {
      console.log(`(${results.length} of ${files} checks ran: docs/reliability.md not rewritten)`);
      return;
    }
    const current = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : SKELETON;
    fs.writeFileSync(DOC, writeSection(current, table));
  };
}
