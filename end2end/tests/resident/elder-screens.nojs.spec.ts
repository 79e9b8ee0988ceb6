// Screenshot tests of the main pages in elder mode (适老化, issue 14), compared with baselines
// committed next to this spec (elder-screens.nojs.spec.ts-snapshots/, named by playwright.config.ts's
// snapshotPathTemplate: `<page>-mobile-nojs-linux.png`). JavaScript off, the most deterministic
// rendering: the server's HTML and CSS only, no islands.
//
// What may differ between runs is masked (dates, counts); animations are off and the caret hidden.
// A small tolerance absorbs anti-aliasing; a changed layout (a padding, a wrap, a lost column)
// moves far more pixels and fails. The Chinese text must be drawn by Noto Sans CJK (Debian's
// fonts-noto-cjk, installed by scripts/setup.sh), the font the baselines were made with; the first
// test checks that, so a machine without it fails with that reason, not with a pixel diff.
//
// To make new baselines after an intended change of these pages:
//   npx playwright test tests/resident/elder-screens.nojs.spec.ts --update-snapshots
import { test, expect, type Page } from '@playwright/test';

/**
 * The main pages (the article is a fixed one of the imported legal content). The directory of
 * service points is long and alike all the way down: its first 2,400 px (the filter and the first
 * points) keep the baseline small.
 */
const PAGES: Array<[string, string, number?]> = [
  ['home', '/'],
  ['appeal-new', '/appeal/new'],
  ['track', '/track'],
  ['legal', '/legal'],
  ['article', '/legal/articles/wages-unpaid-first-steps'],
  ['services', '/legal/services', 2400],
];

test.use({ javaScriptEnabled: false });

test.beforeEach(async ({ context, baseURL }) => {
  await context.addCookies([{ name: 'elder', value: '1', url: baseURL! }]);
});

/** The platform fonts Chromium drew `selector`'s text with (DevTools protocol, works with JS off). */
async function fontsOf(page: Page, selector: string): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('DOM.enable');
  await cdp.send('CSS.enable');
  const { root } = await cdp.send('DOM.getDocument');
  const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
  const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
  await cdp.detach();
  return fonts.map((f: { familyName: string }) => f.familyName);
}

test('the Chinese text is drawn with Noto Sans CJK, as in the baselines', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('html')).toHaveClass(/\belder\b/);
  expect(await fontsOf(page, 'main h1')).toEqual(['Noto Sans CJK SC']);
});

for (const [name, path, height] of PAGES) {
  test(`elder mode, ${path}, looks as it did`, async ({ page }) => {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(200);
    await expect(page.locator('html')).toHaveClass(/\belder\b/);
    await expect(page).toHaveScreenshot(`${name}.png`, {
      fullPage: true,
      ...(height ? { clip: { x: 0, y: 0, width: 390, height } } : {}),
      animations: 'disabled',
      caret: 'hide',
      // Dates (an article's review date) and counts (the directory's "共 n 处") come from the data.
      mask: [page.locator('time'), page.locator('.result-count')],
      maxDiffPixelRatio: 0.01,
    });
  });
}
