// Elder mode (适老化, issue 14), JavaScript on and off: one tap from every page, remembered;
// text at least 18 px with line spacing at least 1.5, every control at least 44×44 px and
// buttons and fields at least 56 px high, one column, nothing animated or transitioned, no
// pop-up; "read aloud" only where the browser can speak (never without JS), and pressing it
// hands the page's text to speech synthesis in the page's language.
// A screenshot of each main page in elder mode is attached to the test's report.
import { test, expect } from '@playwright/test';
import { smallTargets } from '../targets';

const PAGES = ['/', '/appeal/new', '/track', '/legal', '/legal/services', '/stats', '/track/recover'];

for (const js of [true, false]) {
  test.describe(js ? 'JS on' : 'JS off', () => {
    test.use({ javaScriptEnabled: js });

    test('one tap turns it on, every page follows, one tap turns it off', async ({ page, context }, info) => {
      test.setTimeout(90_000);
      // No pop-ups: no browser dialog (alert, confirm, prompt) may open on any page.
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(`${d.type()}: ${d.message()}`);
        void d.dismiss();
      });
      // What "read aloud" hands to the browser's speech synthesis (recorded, not spoken).
      await page.addInitScript(() => {
        const w = window as unknown as { __spoken: { text: string; lang: string }[] };
        w.__spoken = [];
        if ('speechSynthesis' in window) {
          SpeechSynthesis.prototype.speak = function (u: SpeechSynthesisUtterance) {
            w.__spoken.push({ text: u.text, lang: u.lang });
          };
        }
      });
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
        expect(text.anim, `${path}: no animation`).toBe('none');
        expect(await smallTargets(page), `${path}: targets under 44×44`).toEqual([]);
        // Bigger targets than the standard mode's 44 px: buttons and fields at least 56 px high.
        const low = await page.evaluate(() =>
          [...document.querySelectorAll('button, select, textarea, input:not([type=hidden]):not([type=radio]):not([type=checkbox]), a.button')]
            .filter((e) => (e as HTMLElement).offsetParent !== null)
            .filter((e) => e.getBoundingClientRect().height < 55.5)
            .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className} ${Math.round(e.getBoundingClientRect().height)}px`),
        );
        expect(low, `${path}: buttons and fields under 56 px high`).toEqual([]);
        // Nothing moves: no element has an animation or a transition.
        const moving = await page.evaluate(() =>
          [...document.querySelectorAll('*')]
            .map((e) => ({ e, s: getComputedStyle(e) }))
            .filter(({ s }) => s.animationName !== 'none' || s.transitionDuration.split(',').some((d) => parseFloat(d) > 0))
            .map(({ e }) => `${e.tagName.toLowerCase()}.${e.className}`),
        );
        expect(moving, `${path}: animated or transitioned elements`).toEqual([]);
        // No pop-ups in the page either: no open dialog element.
        await expect(page.locator('dialog[open], [role=dialog], [role=alertdialog]'), `${path}: no pop-up`).toHaveCount(0);
        // One column: nothing wider than the viewport, no side-by-side doors.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${path}: no horizontal scrolling`).toBeLessThanOrEqual(0);
        const readAloud = page.locator('.read-aloud button');
        if (js && (await page.evaluate(() => 'speechSynthesis' in window))) {
          await expect(readAloud, `${path}: read aloud`).toBeVisible();
          await expect(readAloud).toHaveText('朗读本页');
          if (path === '/legal') {
            // Pressed: the page's main text goes to speech synthesis in the page's language.
            await readAloud.click();
            await expect(readAloud).toHaveAttribute('aria-pressed', 'true');
            const spoken = await page.evaluate(() => (window as unknown as { __spoken: { text: string; lang: string }[] }).__spoken);
            expect(spoken.length, 'one utterance').toBe(1);
            expect(spoken[0].text).toContain(await page.locator('main h1').innerText());
            expect(spoken[0].lang).toMatch(/^zh/);
          }
        } else {
          await expect(readAloud, `${path}: no dead button without JS`).toBeHidden();
        }
        await info.attach(`elder${path.replaceAll('/', '_')}${js ? '' : '-nojs'}.png`, {
          body: await page.screenshot({ fullPage: true }),
          contentType: 'image/png',
        });
      }

      expect(dialogs, 'no browser dialog opened').toEqual([]);

      // Off again, back where the reader was.
      await page.goto('/track');
      await page.locator('header a.elder-switch').click();
      await expect(page).toHaveURL(/\/track$/);
      await expect(page.locator('html')).not.toHaveClass(/\belder\b/);
      await expect(page.locator('header a.elder-switch')).toHaveText('大字模式');
    });
  });
}
