// JavaScript ON (issue 14): the receipt is kept on this device (local storage) and listed on
// /track; a tap looks it up with a POST (the key never goes into a URL); "clear" empties the
// list; another device (a new browser context) has nothing.
import { test, expect, type Page } from '@playwright/test';
import { submit, urlRe, wizardToCheck } from './helpers';

const NOTICE_RECEIPT = '这张回执（连同查询码）已保存在这部手机的浏览器里，只在这部手机上；用这部手机的人都能打开它。';
const NOTICE_LIST = '这些回执（连同查询码）只保存在这部手机上，用这部手机的人都能打开。点一条即可查看进度。';
const CLEAR = '清除这部手机上的回执';
const CLEARED = '已清除，这部手机不再保存回执。';
const STORAGE_KEY = 'pingan:receipts';

const kept = (page: Page) => page.evaluate((k) => localStorage.getItem(k), STORAGE_KEY);

test('a receipt kept on this device opens from /track, never in a URL, and clears', async ({ page, browser, baseURL }) => {
  await wizardToCheck(page, { hydrated: true });
  const receipt = await submit(page);

  // The receipt page says where it is kept and who can open it, and offers to clear.
  const notice = page.locator('#kept-receipt');
  await expect(notice).toBeVisible();
  await expect(notice.locator('p.hint')).toHaveText(NOTICE_RECEIPT);
  await expect(notice.getByRole('button', { name: CLEAR })).toBeVisible();
  await expect.poll(() => kept(page)).not.toBeNull();
  const stored = JSON.parse((await kept(page))!);
  expect(stored).toHaveLength(1);
  expect(stored[0]).toMatchObject({ ticket: receipt.ticket, key: receipt.key, category: '环境卫生' });
  expect(stored[0].date).toMatch(/^\d{4}-\d{2}-\d{2}$/);

  // Every URL the browser asks for from here on; the key must be in none of them.
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  const keyPlain = receipt.key.replaceAll('-', '');

  await page.goto('/track');
  const list = page.locator('#kept-receipts');
  await expect(list).toBeVisible();
  await expect(list.locator('p.hint')).toHaveText(NOTICE_LIST);
  const entries = list.locator('button.kept-receipt');
  await expect(entries).toHaveCount(1);
  await expect(entries.first()).toContainText(receipt.ticket);
  await expect(entries.first()).toContainText('环境卫生');
  await expect(entries.first()).not.toContainText(receipt.key);
  // No link carries the key.
  for (const href of await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''))) {
    expect(href).not.toContain(receipt.key);
    expect(href).not.toContain(keyPlain);
  }

  // Another device: nothing kept there, nothing listed.
  const other = await browser.newContext({ baseURL });
  const otherPage = await other.newPage();
  await otherPage.goto('/track');
  await otherPage.waitForLoadState('networkidle');
  await expect(otherPage.locator('form#track-form')).toBeVisible();
  await expect(otherPage.locator('#kept-receipts')).toHaveCount(0);
  await expect(otherPage.locator('button.kept-receipt')).toHaveCount(0);
  expect(await kept(otherPage)).toBeNull();
  await other.close();

  // A tap posts the lookup form: the appeal shows on a bare /track.
  const [post] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/form/track')),
    entries.first().click(),
  ]);
  expect(post.postData() ?? '').toContain(`ticket=${receipt.ticket}`);
  await expect(page).toHaveURL(urlRe('/track'));
  await expect(page.locator('main h1')).toHaveText(`查进度 ${receipt.ticket}`);
  await expect(page.locator('dl#track-result #status')).toHaveText('待签收');
  expect(page.url()).not.toContain(receipt.key);
  expect(page.url()).not.toContain(keyPlain);
  for (const u of urls) {
    expect(u).not.toContain(receipt.key);
    expect(u).not.toContain(keyPlain);
  }

  // Done: leave the appeal, then clear the receipts in one tap.
  await page.getByRole('button', { name: '查完了，在这部手机上退出' }).click();
  await expect(list.locator('button.kept-receipt')).toHaveCount(1);
  await page.getByRole('button', { name: CLEAR }).click();
  await expect(page.locator('main p.notice[role=status]', { hasText: CLEARED })).toBeVisible();
  await expect(page.locator('#kept-receipts')).toHaveCount(0);
  expect(await kept(page)).toBeNull();
  await page.reload();
  await page.waitForLoadState('networkidle');
  await expect(page.locator('form#track-form')).toBeVisible();
  await expect(page.locator('button.kept-receipt')).toHaveCount(0);
});
