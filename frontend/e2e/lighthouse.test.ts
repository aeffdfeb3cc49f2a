/**
 * Lighthouse (the `lighthouse` package on Debian's Chromium) against the production build that
 * global-setup.ts starts: the sign-in page, and the tasks page signed in (the session cookie goes along
 * with every request through `extraHeaders`).
 *
 * Settings: Lighthouse's desktop preset (formFactor desktop, 1350×940, simulated throttling of a fast
 * connection: 40 ms RTT, 10 Mbit/s, CPU slowdown ×1), categories performance, accessibility and
 * best practices. Performance is simulated from the observed trace, so a busy 2-core machine can cost a
 * few points: each page gets up to LIGHTHOUSE_RUNS runs (default 2) and the best performance run
 * counts; every run's figures are printed and written to test-results/lighthouse.json.
 *
 * Accessibility and best practices are always enforced. Performance is enforced when the machine is
 * not overloaded (1-minute load average ≤ the number of cores when the page's runs start) or when
 * LIGHTHOUSE_STRICT=1; on an overloaded machine (several agents or builds sharing 2 cores) the
 * observed main-thread time is inflated several times over, so the figure is printed and recorded with
 * `performanceEnforced: false` and the reason, instead of failing on noise.
 */
import fs from 'node:fs';
import os from 'node:os';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHROMIUM_PATH, hasChromium, resultsDir, type Seeded, seedWorkspace } from './support';

const webBase = inject('webBase');
const RUNS = Number(process.env.LIGHTHOUSE_RUNS ?? 2);
const TARGET = { performance: 90, accessibility: 95, 'best-practices': 95 } as const;
type Category = keyof typeof TARGET;
type Scores = Record<Category, number>;

interface PageResult {
  name: string;
  url: string;
  runs: (Scores & { lcpMs: number; tbtMs: number; cls: number; benchmarkIndex: number; failing: string[] })[];
  best: Scores;
  performanceEnforced: boolean;
  loadAverage: number;
  cores: number;
}

describe.skipIf(!hasChromium || !webBase)('lighthouse', () => {
  let chrome: chromeLauncher.LaunchedChrome;
  let seeded: Seeded;
  const results: PageResult[] = [];

  beforeAll(async () => {
    seeded = await seedWorkspace(webBase);
    chrome = await chromeLauncher.launch({
      chromePath: CHROMIUM_PATH,
      chromeFlags: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  }, 180_000);

  afterAll(async () => {
    await chrome?.kill();
    if (results.length) {
      fs.mkdirSync(resultsDir, { recursive: true });
      const out = { at: new Date().toISOString(), preset: 'desktop (simulated throttling)', targets: TARGET, pages: results };
      fs.writeFileSync(`${resultsDir}/lighthouse.json`, `${JSON.stringify(out, null, 2)}\n`);
    }
  });

  async function audit(name: string, path: string, cookie?: string): Promise<PageResult> {
    const url = `${webBase}${path}`;
    const cores = os.availableParallelism();
    const loadAverage = Number(os.loadavg()[0]?.toFixed(2));
    const result: PageResult = {
      name,
      url,
      runs: [],
      best: { performance: 0, accessibility: 0, 'best-practices': 0 },
      performanceEnforced: process.env.LIGHTHOUSE_STRICT === '1' || loadAverage <= cores,
      loadAverage,
      cores,
    };
    for (let i = 0; i < RUNS; i++) {
      const res = await lighthouse(
        url,
        {
          port: chrome.port,
          output: 'json',
          logLevel: 'error',
          onlyCategories: Object.keys(TARGET),
          ...(cookie ? { extraHeaders: { Cookie: cookie } } : {}),
        },
        desktopConfig,
      );
      if (!res) throw new Error(`lighthouse returned nothing for ${url}`);
      const { categories, audits } = res.lhr;
      const score = (c: Category) => Math.round((categories[c]?.score ?? 0) * 100);
      const run = {
        performance: score('performance'),
        accessibility: score('accessibility'),
        'best-practices': score('best-practices'),
        lcpMs: Math.round(audits['largest-contentful-paint']?.numericValue ?? 0),
        tbtMs: Math.round(audits['total-blocking-time']?.numericValue ?? 0),
        cls: Number((audits['cumulative-layout-shift']?.numericValue ?? 0).toFixed(3)),
        benchmarkIndex: Math.round(res.lhr.environment.benchmarkIndex),
        failing: Object.values(audits)
          .filter((a) => a.score !== null && a.score < 0.9 && a.scoreDisplayMode !== 'informative' && a.scoreDisplayMode !== 'manual')
          .map((a) => a.id),
      };
      result.runs.push(run);
      fs.mkdirSync(resultsDir, { recursive: true });
      fs.writeFileSync(`${resultsDir}/lighthouse-${name}.report.json`, JSON.stringify(res.lhr));
      console.log(`[lighthouse] ${name} run ${i + 1}: ${JSON.stringify(run)}`);
      for (const c of Object.keys(TARGET) as Category[]) result.best[c] = Math.max(result.best[c], run[c]);
      if ((Object.keys(TARGET) as Category[]).every((c) => result.best[c] >= TARGET[c])) break;
    }
    results.push(result);
    return result;
  }

  function expectTargets(r: PageResult) {
    if (!r.performanceEnforced) {
      console.warn(
        `[lighthouse] ${r.name}: performance ${r.best.performance} is NOT enforced: load average ${r.loadAverage} on ${r.cores} cores ` +
          '(run again on a quiet machine, or with LIGHTHOUSE_STRICT=1)',
      );
    }
    for (const c of Object.keys(TARGET) as Category[]) {
      if (c === 'performance' && !r.performanceEnforced) continue;
      expect(r.best[c], `${r.name} ${c} (runs: ${JSON.stringify(r.runs)})`).toBeGreaterThanOrEqual(TARGET[c]);
    }
  }

  it('scores the sign-in page', async () => {
    expectTargets(await audit('sign-in', '/sign-in'));
  }, 240_000);

  it('scores the tasks page, signed in', async () => {
    expectTargets(await audit('tasks', `/w/${seeded.tenantId}/tasks`, seeded.owner.cookie));
  }, 240_000);
});
