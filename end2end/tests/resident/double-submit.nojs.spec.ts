// JavaScript OFF: submitting the same draft more than once — concurrently, from a check page kept
// open (a second tab, or one the back button restores from the cache), or by replaying the
// POST — always yields the one receipt with the one ticket.
import { test, expect } from '@playwright/test';
import {
  UNIT,
  expectTrackResult,
  postSubmit,
  readReceipt,
  receiptTicketOf,
  submitButton,
  urlRe,
  wizardToCheck,
  trackByForm,
} from './helpers';

test('concurrent submits, back + submit again, and a replayed POST give one ticket', async ({ page, baseURL }) => {
  const token = await wizardToCheck(page);
  // The same check page open in a second tab: its form goes stale once the first one submits.
  const other = await page.context().newPage();
  await other.goto(page.url());
  await expect(submitButton(other)).toBeVisible();

  // Two submissions from "other tabs" racing the button press.
  const [a, b] = await Promise.all([
    postSubmit(page, baseURL!, token),
    postSubmit(page, baseURL!, token),
    submitButton(page).click(),
  ]);
  for (const r of [a, b]) {
    expect(r.status()).toBe(303);
    expect(r.headers()['location']).toBe(`/receipt/${token}`);
  }
  const receipt = await readReceipt(page, token);
  await expect(page.locator('#unit')).toHaveText(new RegExp(`^${UNIT.communityHD0101}(\\s|$)`));
  expect(await receiptTicketOf(page, token)).toBe(receipt.ticket);

  // The stale check page (what "back" shows when the browser kept it) submits again: the same
  // receipt, ticket and key. A check page fetched again is covered below.
  await expect(other.locator('main h1')).toHaveText('核对一下');
  await submitButton(other).click();
  const stale = await readReceipt(other, token);
  expect(stale.ticket).toBe(receipt.ticket);
  expect(stale.key).toBe(receipt.key);
  await other.close();

  // Opening any step of the submitted draft leads to its receipt.
  await page.goto(`/appeal/${token}/check`);
  await expect(page).toHaveURL(urlRe(`/receipt/${token}`));
  await expect(page.locator('#ticket')).toHaveText(receipt.ticket);

  // A replayed POST, of the final step or of an earlier one, changes nothing.
  const replay = await postSubmit(page, baseURL!, token);
  expect(replay.status()).toBe(303);
  expect(replay.headers()['location']).toBe(`/receipt/${token}`);
  const step = await page.request.post(`/form/appeal/${token}/who`, {
    headers: { Origin: new URL(baseURL!).origin },
    form: { identity: 'named', name: '张三', phone: '13900139000' },
    maxRedirects: 0,
  });
  expect(step.status()).toBe(303);
  expect(step.headers()['location']).toBe(`/receipt/${token}`);
  expect(await receiptTicketOf(page, token)).toBe(receipt.ticket);

  // The one appeal is tracked with its two events.
  await trackByForm(page, receipt.ticket, receipt.key);
  await expectTrackResult(page, { ticket: receipt.ticket, unit: UNIT.communityHD0101 });
});

test('a POST naming another site is refused and submits nothing', async ({ page }) => {
  const token = await wizardToCheck(page);
  const res = await page.request.post(`/form/appeal/${token}/submit`, {
    headers: { Origin: 'https://evil.example' },
    maxRedirects: 0,
  });
  expect(res.status()).toBe(403);
  // The draft is still open: the check page is shown, not a receipt.
  const receipt = await page.request.get(`/receipt/${token}`, { maxRedirects: 0 });
  expect(receipt.status()).toBe(404);
  await page.reload();
  await expect(page).toHaveURL(urlRe(`/appeal/${token}/check`));
  await expect(submitButton(page)).toBeVisible();
});
