// JavaScript ON (issue 11): a page with no island makes the browser download no script and no
// WebAssembly at all; a page with an island still loads the bundle and hydrates it. Counted from
// the browser's own requests, so a preload, a module import or a fetch of the .wasm all count.
import { test, expect, type Page } from '@playwright/test';

/** Every /pkg .js or .wasm URL the page requested while loading and idling. */
async function scriptRequests(page: Page, path: string): Promise<string[]> {
  const seen: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith('/pkg/') && /\.(js|wasm)$/.test(u.pathname)) seen.push(u.pathname);
  });
  await page.goto(path);
  await page.waitForLoadState('networkidle');
  return seen;
}

test('pages without islands load no JavaScript or WebAssembly', async ({ page }) => {
  await page.goto('/legal');
  const article = await page.locator('a[href^="/legal/articles/"]').first().getAttribute('href');
  expect(article).toBeTruthy();
  for (const path of ['/', '/legal', article as string]) {
    expect(await scriptRequests(page, path), path).toEqual([]);
    await expect(page.locator('script')).toHaveCount(0);
  }
});

test('a page with an island still loads the bundle', async ({ page }) => {
  const seen = await scriptRequests(page, '/track');
  expect(seen.some((p) => p.endsWith('.js'))).toBe(true);
  expect(seen.some((p) => p.endsWith('.wasm'))).toBe(true);
});
