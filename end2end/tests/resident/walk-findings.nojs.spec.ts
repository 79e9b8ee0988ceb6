// Findings of issue 14's phone walk that were covered only over HTTP (server/tests/it), now
// checked in the browser too (JavaScript off: all of them are server-rendered):
// the legal help block once on /track for a dispute, with no duplicate ids; search in residents'
// words and in English; English pages mark the Chinese-only legal text as such; the "not
// eligible" self-check result does not lead with the apply button; emergency and service
// numbers are tel: links.
import { test, expect, type Page } from '@playwright/test';
import {
  chooseCategory,
  chooseRegion,
  continueFromPhotos,
  continueFromWhere,
  describe,
  identify,
  startAppeal,
  submit,
  trackByForm,
} from './helpers';

/** Ids that occur more than once on the page. */
async function duplicateIds(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const seen = new Map<string, number>();
    for (const el of Array.from(document.querySelectorAll('[id]'))) seen.set(el.id, (seen.get(el.id) || 0) + 1);
    return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  });
}

test('a dispute on /track shows the legal help block once, and no id twice', async ({ page }) => {
  await startAppeal(page);
  await chooseCategory(page, 'neighbor_dispute');
  await describe(page, '楼上邻居每天深夜装修噪音很大，沟通多次没有结果，想请社区调解。');
  await chooseRegion(page, { district: 'HD', street: 'HD01', community: 'HD0101' });
  await continueFromWhere(page);
  await continueFromPhotos(page);
  await identify(page, 'anonymous');
  const { ticket, key } = await submit(page);
  expect(await duplicateIds(page), 'receipt page').toEqual([]);
  await trackByForm(page, ticket, key);
  await expect(page.locator('main h1')).toHaveText(`查进度 ${ticket}`);
  await expect(page.locator('section.legal-triage')).toHaveCount(1);
  expect(await duplicateIds(page), 'track page').toEqual([]);
});

test('search finds residents\' words and English words', async ({ page }) => {
  await page.goto(`/legal/search?q=${encodeURIComponent('老板不给钱')}`);
  await expect(page.locator('ol.hits li.hit a').first()).toHaveAttribute('href', '/legal/articles/wages-unpaid-first-steps');

  await page.context().addCookies([{ name: 'lang', value: 'en', url: page.url() }]);
  await page.goto('/legal/search?q=wages');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('ol.hits li.hit a').first()).toHaveAttribute('href', '/legal/articles/wages-unpaid-first-steps');
});

test('in English, an article says it is in Chinese only and marks its text as Chinese', async ({ page, baseURL }) => {
  await page.context().addCookies([{ name: 'lang', value: 'en', url: baseURL! }]);
  await page.goto('/legal/articles/wages-unpaid-first-steps');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('#zh-only[role=note]')).toHaveText('This article is available in Chinese only.');
  await expect(page.locator('div.article-body')).toHaveAttribute('lang', 'zh-CN');
});

test('"not eligible" does not lead with the apply button', async ({ page }) => {
  await page.goto('/legal/eligibility?matter=labour&group=none&means=above');
  await expect(page.locator('#eligibility-result')).toHaveAttribute('data-outcome', 'unlikely');
  await expect(page.locator('main h1')).toHaveText('您可能不符合法律援助条件');
  const apply = page.locator('a#start-appeal');
  await expect(apply).toHaveClass(/\bbutton-secondary\b/);
  // The reasons and where to go come first; the button is after them.
  const before = await page.evaluate(() => {
    const a = document.querySelector('#start-appeal')!;
    const why = document.querySelector('#why-title')!;
    const where = document.querySelector('#where-title')!;
    const follows = (x: Element, y: Element) => !!(x.compareDocumentPosition(y) & Node.DOCUMENT_POSITION_FOLLOWING);
    return { whyFirst: follows(why, a), whereFirst: follows(where, a) };
  });
  expect(before).toEqual({ whyFirst: true, whereFirst: true });
});

test('emergency and service numbers are tel: links', async ({ page }) => {
  await page.goto('/');
  // The footer's emergency line, on every page.
  for (const n of ['110', '119', '120']) await expect(page.locator(`footer a[href="tel:${n}"]`)).toHaveText(n);
  await page.goto('/legal/services');
  const phones = page.locator('main a[href^="tel:"]');
  expect(await phones.count()).toBeGreaterThan(10);
  // The link dials what it shows: the number shown with a dash ("0933-8610685"), dialled as
  // digits only.
  const first = phones.first();
  const href = (await first.getAttribute('href'))!.slice(4);
  expect(href).toMatch(/^[0-9]+$/);
  expect((await first.innerText()).replace(/\D/g, '')).toBe(href);
});
