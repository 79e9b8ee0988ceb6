// JavaScript ON: an impatient double tap on 提交 (plus a racing request) yields one ticket, and the
// receipt forgets the description kept on the device.
import { test, expect, type Request } from '@playwright/test';
import { postSubmit, readReceipt, receiptTicketOf, submitButton, wizardToCheck } from './helpers';

test('a double tap on 提交 gives one ticket', async ({ page, baseURL }) => {
  const token = await wizardToCheck(page, { hydrated: true });
  // The description was kept on the device while it was typed.
  const stored = await page.evaluate((k) => sessionStorage.getItem(k), `pingan:${token}:description`);
  expect(stored).not.toBeNull();

  const submits: Request[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith(`/form/appeal/${token}/submit`)) submits.push(r);
  });
  const [raced] = await Promise.all([
    postSubmit(page, baseURL!, token),
    submitButton(page).dblclick(),
  ]);
  expect(raced.status()).toBe(303);
  expect(raced.headers()['location']).toBe(`/receipt/${token}`);
  const receipt = await readReceipt(page, token);
  // A double tap sends one or two posts (the second may abort the first navigation); each one
  // that was answered went to the same receipt, and the page did post.
  expect(submits.length).toBeGreaterThan(0);
  expect(submits.length).toBeLessThanOrEqual(2);
  const answered = (await Promise.all(submits.map((r) => r.response()))).filter((r) => r !== null);
  expect(answered.length).toBeGreaterThan(0);
  for (const r of answered) {
    expect(r!.status()).toBe(303);
    expect(r!.headers()['location']).toBe(`/receipt/${token}`);
  }
  expect(await receiptTicketOf(page, token)).toBe(receipt.ticket);

  await page.reload();
  await expect(page.locator('#ticket')).toHaveText(receipt.ticket);
  await expect(page.locator('#key')).toHaveText(receipt.key);

  // Once the receipt is live, the device copy of the draft is gone.
  await expect(page.getByRole('button', { name: '复制编号和查询码' })).toBeVisible();
  await expect
    .poll(() => page.evaluate((k) => sessionStorage.getItem(k), `pingan:${token}:description`))
    .toBeNull();
});
