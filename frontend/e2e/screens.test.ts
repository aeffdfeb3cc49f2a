/**
 * Screenshots of every main page in light and dark, on a desktop (1280×800) and a phone (390×844),
 * saved under frontend/test-results/screenshots/ for people to look at. The test checks that each page
 * renders its content without horizontal overflow (nothing wider than the viewport).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mainPages } from './pages';
import { DESKTOP, hasChromium, launchBrowser, newContext, openPage, PHONE, resultsDir, type Seeded, seedWorkspace } from './support';

const webBase = inject('webBase');
const outDir = path.join(resultsDir, 'screenshots');

describe.skipIf(!hasChromium || !webBase)('screens', () => {
  let browser: Browser;
  let seeded: Seeded;

  beforeAll(async () => {
    fs.mkdirSync(outDir, { recursive: true });
    browser = await launchBrowser();
    seeded = await seedWorkspace(webBase);
  });

  afterAll(async () => {
    await browser?.close();
  });

  for (const [device, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`every page, ${device}, ${colorScheme}`, async () => {
        const contexts: Record<string, BrowserContext> = {
          out: await newContext(browser, webBase, { viewport, colorScheme }),
          in: await newContext(browser, webBase, { viewport, colorScheme, cookie: seeded.owner.cookie }),
        };
        try {
          for (const p of mainPages(seeded)) {
            const page = await (p.auth ? contexts.in : contexts.out)?.newPage();
            if (!page) throw new Error('no context');
            await openPage(page, p.path, p.ready, `${p.name}-${device}-${colorScheme}`);
            const theme = await page.evaluate(() => document.documentElement.dataset.theme);
            expect(theme, p.name).toBe(colorScheme);
            const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
            expect(overflow, `${p.name} is wider than the ${device} viewport`).toBeLessThanOrEqual(0);
            await page.screenshot({ path: path.join(outDir, `${p.name}-${device}-${colorScheme}.png`), fullPage: true });
            await page.close();
          }
        } finally {
          for (const c of Object.values(contexts)) await c.close();
        }
      }, 240_000);
    }
  }
});
