// Elder mode (适老化, issue 14), JavaScript on and off: one tap from every page, remembered;
// text at least 18 px with line spacing at least 1.5, every control at least 44×44 px, one
// column, no animation; "read aloud" only where the browser can speak (never without JS).
// A screenshot of each main page in elder mode is attached to the test's report.
import { test, expect } from '@playwright/test';
import { smallTargets } from '../targets';

const PAGES = ['/', '/appeal/new', '/track', '/legal', '/legal/services', '/stats', '/track/recover'];

for (const js of [true, false]) {
  test.describe(js ? 'JS on' : 'JS off', () => {
    test.use({ javaScriptEnabled: js });

    test('one tap turns it on, every page follows, one tap turns it off', async ({ page, context }, info) => {
      test.setTimeout(90_000);
      await page.goto('/legal');
      await page.locator('header a.elder-switch').click();
      await expect(page).toHaveURL(/\/legal$/);
      await expect(page.locator('html')).toHaveClass(/\belder\b/);
      expect((await context.cookies()).find((c) => c.name === 'elder')?.value).toBe('1');

      for (const path of PAGES) {
        await page.goto(path);
        await expect(page.locator('html'), path).toHaveClass(/\belder\b/);
        await expect(page.locator('header a.elder-switch'), path).toHaveText('标准模式');
        const text = await page.evaluate(() => {
          const s = getComputedStyle(document.querySelector('main p, main li, main label') || document.body);
          const b = getComputedStyle(document.body);
          return { size: parseFloat(s.fontSize), line: parseFloat(b.lineHeight) / parseFloat(b.fontSize), anim: b.animationName };
        });
        expect(text.size, `${path}: body text size`).toBeGreaterThanOrEqual(18);
        expect(text.line, `${path}: line spacing`).toBeGreaterThanOrEqual(1.5);
        expect(await smallTargets(page), `${path}: targets under 44×44`).toEqual([]);
        // One column: nothing wider than the viewport, no side-by-side doors.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${path}: no horizontal scrolling`).toBeLessThanOrEqual(0);
        const readAloud = page.locator('.read-aloud button');
        if (js && (await page.evaluate(() => 'speechSynthesis' in window))) {
          await expect(readAloud, `${path}: read aloud`).toBeVisible();
          await expect(readAloud).toHaveText('朗读本页');
        } else {
          await expect(readAloud, `${path}: no dead button without JS`).toBeHidden();
        }
        await info.attach(`elder${path.replaceAll('/', '_')}${js ? '' : '-nojs'}.png`, {
          body: await page.screenshot({ fullPage: true }),
          contentType: 'image/png',
        });
      }

      // Off again, back where the reader was.
      await page.goto('/track');
      await page.locator('header a.elder-switch').click();
      await expect(page).toHaveURL(/\/track$/);
      await expect(page.locator('html')).not.toHaveClass(/\belder\b/);
      await expect(page.locator('header a.elder-switch')).toHaveText('大字模式');
    });
  });
}
