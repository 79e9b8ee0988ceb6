// JavaScript ON (issue 14): offline tolerance through the service worker. After a first visit to
// a page with islands (which registers /sw.js), the legal pages open without a connection,
// tracking never comes from a cache, and a description posted without a connection is kept on
// the device and sent, once, when the connection returns.
import { test, expect, type BrowserContext, type Page } from '@playwright/test';
import {
  DESCRIPTION,
  chooseCategory,
  chooseRegion,
  continueButton,
  continueFromPhotos,
  continueFromWhere,
  describeHydrated,
  expectStep,
  fillDescriptionHydrated,
  startAppeal,
  tokenOf,
  urlRe,
  audit,
} from './helpers';

test.use({ serviceWorkers: 'allow' });

const OFFLINE_TITLE = '没有网络连接';

/** Waits until the worker is active and controls this page (it claims open pages). */
async function workerControls(page: Page): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
}

/**
 * No connection for the pages and for the worker: `setOffline` for the pages (and
 * `navigator.onLine`), and every request the worker makes is refused as a dropped network too
 * (not every browser build applies `setOffline` to a worker's own requests).
 */
async function setOffline(context: BrowserContext, offline: boolean): Promise<void> {
  if (offline) {
    await context.route('**/*', (route) =>
      route.request().serviceWorker() ? route.abort('internetdisconnected') : route.fallback(),
    );
    await context.setOffline(true);
  } else {
    await context.unrouteAll({ behavior: 'wait' });
    await context.setOffline(false);
  }
}

async function outboxSize(page: Page): Promise<number> {
  return page.evaluate(async () => (await (await caches.open('pingan-outbox')).keys()).length);
}

test('a kept legal page opens offline; tracking is never served from the cache', async ({ page, context }) => {
  // Tracking first, online: were it ever cached, it would be now.
  await page.goto('/track');
  await workerControls(page);
  await page.goto('/legal');
  await expect(page.locator('main h1')).toHaveText('法律帮助');
  const article = await page.locator('a[href^="/legal/articles/"]').first().getAttribute('href');
  expect(article).toBeTruthy();
  await page.goto(article!);
  const title = (await page.locator('main h1').textContent())!.trim();
  await page.goto('/track');

  await setOffline(context, true);
  await page.goto('/legal');
  await expect(page.locator('main h1')).toHaveText('法律帮助');
  await page.goto(article!);
  await expect(page.locator('main h1')).toHaveText(title);
  await page.goto('/track');
  await expect(page.locator('main h1')).toHaveText(OFFLINE_TITLE);
  await expect(page.locator('form[action="/form/track"]')).toHaveCount(0);
  await expect(page.locator('#offline-kept')).toBeHidden();
  await setOffline(context, false);
  await page.goto('/track');
  await expect(page.locator('#offline')).toHaveCount(0);
  await expect(page.locator('main h1')).not.toHaveText(OFFLINE_TITLE);
});

test('the directory filter posted without a connection shows the offline page; nothing is kept', async ({
  page,
  context,
}) => {
  await page.goto('/legal/services');
  await workerControls(page);
  await setOffline(context, true);
  await page.locator('select#district').selectOption('HD');
  await page.getByRole('button', { name: '查找' }).click();
  await expect(page.locator('main h1')).toHaveText(OFFLINE_TITLE);
  // Not a wizard step: no "this step was not sent" warning, nothing waiting.
  await expect(page.locator('#offline-not-kept')).toBeHidden();
  await expect(page.locator('#offline-waiting')).toBeHidden();
  expect(await outboxSize(page)).toBe(0);
  await setOffline(context, false);
});

test('a description sent without a connection is kept and sent once when it returns', async ({ page, context }) => {
  await startAppeal(page);
  await chooseCategory(page, 'neighbor_dispute');
  // Step 2 has an island, so it loads script and registers the worker (step 1 has none).
  await workerControls(page);
  const token = tokenOf(page);
  await fillDescriptionHydrated(page, DESCRIPTION);

  await setOffline(context, true);
  await continueButton(page).click();
  // The worker answers the failed post with the offline page: the text is kept, and listed.
  await expect(page).toHaveURL(urlRe(`/form/appeal/${token}/what`));
  await expect(page.locator('main h1')).toHaveText(OFFLINE_TITLE);
  await expect(page.locator('#offline-kept')).toBeVisible();
  await expect(page.locator('#offline-waiting li[data-step="what"]')).toBeVisible();
  await expect(page.locator('#offline-waiting li[data-step="what"]')).toHaveText('您的诉求：发生了什么？');
  expect(await outboxSize(page)).toBe(1);
  // The offline page itself: WCAG 2.2 A/AA like every other page (axe needs no connection).
  await audit(page, 'the offline page, something waiting');
  // Nothing reached the server (the test's own requests do not go through the browser).
  expect(await (await page.request.get(`/appeal/${token}/what`)).text()).not.toContain(DESCRIPTION);
  await setOffline(context, false);
  // Back online: the page sends it and goes on to the next step by itself.
  await expectStep(page, 'where');
  expect(await outboxSize(page)).toBe(0);
  // The server has the text (read without the device's copy of it).
  const what = await page.request.get(`/appeal/${token}/what`);
  expect(await what.text()).toContain(DESCRIPTION);
});

test('a name and phone number posted without a connection are not kept on the device', async ({ page, context }) => {
  await startAppeal(page);
  await chooseCategory(page, 'sanitation');
  await workerControls(page);
  const token = tokenOf(page);
  await describeHydrated(page);
  await chooseRegion(page, { district: 'HD' });
  await continueFromWhere(page);
  await continueFromPhotos(page);
  await page.locator('#identity-named').check();
  await page.locator('#name').fill('王秀英');
  await page.locator('#phone').fill('13800138000');

  await setOffline(context, true);
  await continueButton(page).click();
  await expect(page).toHaveURL(urlRe(`/form/appeal/${token}/who`));
  await expect(page.locator('main h1')).toHaveText(OFFLINE_TITLE);
  await expect(page.locator('#offline-not-kept')).toBeVisible();
  await expect(page.locator('#offline-kept')).toBeHidden();
  await audit(page, 'the offline page, nothing kept');
  expect(await outboxSize(page)).toBe(0);
  await setOffline(context, false);
});
