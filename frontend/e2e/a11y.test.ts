/**
 * Accessibility: axe-core on every main page (and the task dialog), in light and dark, on a desktop
 * and a phone. No violation of impact "serious" or "critical" is allowed.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mainPages } from './pages';
import { DESKTOP, hasChromium, launchBrowser, newContext, openPage, PHONE, type Seeded, seedWorkspace } from './support';

const webBase = inject('webBase');

async function seriousViolations(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n').join(' ')}`).join('\n    ')}`,
    );
}

describe.skipIf(!hasChromium || !webBase)('accessibility', () => {
  let browser: Browser;
  let seeded: Seeded;

  beforeAll(async () => {
    browser = await launchBrowser();
    seeded = await seedWorkspace(webBase);
  });

  afterAll(async () => {
    await browser?.close();
  });

  for (const [label, viewport, colorScheme] of [
    ['desktop, light', DESKTOP, 'light'],
    ['desktop, dark', DESKTOP, 'dark'],
    ['phone, light', PHONE, 'light'],
  ] as const) {
    it(`has no serious or critical violations (${label})`, async () => {
      const contexts: Record<string, BrowserContext> = {
        out: await newContext(browser, webBase, { viewport, colorScheme }),
        in: await newContext(browser, webBase, { viewport, colorScheme, cookie: seeded.owner.cookie }),
      };
      const problems: string[] = [];
      try {
        for (const p of mainPages(seeded)) {
          const page = await (p.auth ? contexts.in : contexts.out)?.newPage();
          if (!page) throw new Error('no context');
          await openPage(page, p.path, p.ready, `${p.name} (${label})`);
          for (const v of await seriousViolations(page)) problems.push(`${p.name}: ${v}`);
          if (p.name === 'tasks') {
            await page.getByRole('button', { name: 'New task' }).first().click();
            await page.getByRole('dialog', { name: 'New task' }).waitFor();
            for (const v of await seriousViolations(page)) problems.push(`${p.name} (new task dialog): ${v}`);
          }
          await page.close();
        }
      } finally {
        for (const c of Object.values(contexts)) await c.close();
      }
      expect(problems, problems.join('\n')).toEqual([]);
    }, 300_000);
  }
});
