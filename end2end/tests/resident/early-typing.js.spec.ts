// A page works before its islands are live: the bundle is fetched after the first paint (issue
// 14), and on a slow phone that is seconds. Words a resident types meanwhile must survive the
// moment the island goes live (hydration writes the island's value into the field).
import { test, expect } from '@playwright/test';
import { chooseCategory, startAppeal } from './helpers';

// No service worker: a request the page's worker answers (it may control the page by the time
// the step loads) never reaches `page.route`, so the bundle would not be held and the island
// could go live before the words are typed.
test.use({ serviceWorkers: 'block' });

test('a description typed before the page is live is kept when it goes live', async ({ page }) => {
  // Hold every WebAssembly download until the resident has typed (routing also turns the
  // browser's cache off, so the step's bundle really is fetched through here).
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/pkg\/[^?]*\.wasm(\?.*)?$/, async (route) => {
    await held;
    await route.continue().catch(() => {}); // a page already left no longer wants it
  });

  await startAppeal(page);
  await chooseCategory(page, 'sanitation');
  const textarea = page.locator('textarea#description');
  const count = page.locator('#description-count');
  const text = '楼下垃圾桶三天没有清运，气味很大，影响居民出行。';
  await textarea.fill(text);
  // Not live yet: the counter is still the server's.
  await expect(count).toHaveText('已写 0 / 2000 字');

  release();
  // Live now (the counter follows the field), and the words are still there.
  await expect(count).toHaveText(`已写 ${[...text].length} / 2000 字`, { timeout: 15_000 });
  await expect(textarea).toHaveValue(text);
});
