// Recover a lost receipt (issue 14), shared by the JS-on and JS-off specs: a named resident
// submits, loses the receipt, asks for a code with their phone number, reads the SMS (from the
// SMS stand-in, end2end/sms-gateway.ts) and sees their appeal; a wrong code is refused; an
// unknown number gets the very same page and no SMS.
import { expect, type Browser } from '@playwright/test';
import { smsLines, waitForSms } from '../../sms-gateway';
import {
  audit,
  chooseCategory,
  chooseRegion,
  continueFromPhotos,
  continueFromWhere,
  describe,
  identify,
  startAppeal,
  submit,
} from './helpers';

export async function recoverALostReceipt(browser: Browser, js: boolean): Promise<void> {
  // A number of its own per run and project, so earlier runs' appeals do not mix in.
  const phone = `139${String(Date.now() % 100_000_000).padStart(8, '0')}`;
  const ctx = await browser.newContext({ javaScriptEnabled: js });
  const page = await ctx.newPage();
  await startAppeal(page);
  await chooseCategory(page, 'sanitation');
  await describe(page);
  await chooseRegion(page, { district: 'HD', street: 'HD01', community: 'HD0101' });
  await continueFromWhere(page);
  await continueFromPhotos(page);
  await identify(page, { name: '李阿姨', phone });
  const receipt = await submit(page);
  await ctx.close();

  // Another browser (the receipt is lost): the phone number, then the code from the SMS.
  const fresh = await browser.newContext({ javaScriptEnabled: js });
  const p = await fresh.newPage();
  await p.goto('/track');
  await p.locator('#recover-link a').click();
  await expect(p).toHaveURL(/\/track\/recover$/);
  const before = smsLines().length;
  await p.locator('#phone').fill(phone);
  await p.getByRole('button', { name: '发送验证码' }).click();
  await expect(p.locator('#recover-sent')).toHaveText('如果这个号码提交过实名诉求，验证码已发送');
  const sentPage = (await p.locator('main').innerText()).replace(/\s+/g, ' ');
  const sms = await waitForSms('recovery_code', phone, before);
  const code = sms.payload?.code || '';
  expect(code, 'the SMS carries a code').toMatch(/^[0-9]{6,}$/);
  expect(sms.payload?.text || '').toContain(code);

  // A wrong code: refused, with the field's message; the right one still works after it.
  const wrong = code.startsWith('0') ? `1${code.slice(1)}` : `0${code.slice(1)}`;
  await p.locator('#code').fill(wrong);
  await p.getByRole('button', { name: '查看我的诉求' }).click();
  await expect(p.locator('div.error-summary')).toContainText('验证码不对，请核对短信后再试。');
  // (axe runs in the page, so only with JavaScript; the JS-off markup is the same server HTML,
  // audited with scripts blocked by a11y.spec.ts for the request form.)
  if (js) await audit(p, 'recovery: wrong code');
  await p.locator('#code').fill(code);
  await p.getByRole('button', { name: '查看我的诉求' }).click();
  await expect(p.locator('main h1')).toHaveText('这个号码的实名诉求');
  const items = p.locator('#recovered li.recovered-item');
  await expect(items).toHaveCount(1);
  await expect(items.first().locator('.code')).toHaveText(receipt.ticket);
  // The recovered list and the wrong-code state before it: WCAG 2.2 A/AA like every page.
  if (js) await audit(p, 'recovery: the recovered list');
  // Open it: its track page, without the key ever being typed or shown in a URL.
  await items.first().getByRole('button').click();
  await expect(p.locator('dl#track-result')).toBeVisible();
  expect(p.url()).not.toContain(receipt.key.replace(/-/g, ''));
  await fresh.close();

  // An unknown number: the same page, word for word, and no SMS to it.
  const stranger = await browser.newContext({ javaScriptEnabled: js });
  const s = await stranger.newPage();
  const unknown = `137${String((Date.now() + 1) % 100_000_000).padStart(8, '0')}`;
  const mark = smsLines().length;
  await s.goto('/track/recover');
  await s.locator('#phone').fill(unknown);
  await s.getByRole('button', { name: '发送验证码' }).click();
  await expect(s.locator('#recover-sent')).toBeVisible();
  expect((await s.locator('main').innerText()).replace(/\s+/g, ' ')).toBe(sentPage);
  await s.waitForTimeout(3_000);
  const toUnknown = smsLines()
    .slice(mark)
    .filter((l) => l.includes(unknown));
  expect(toUnknown, 'no SMS to a number that never submitted').toEqual([]);
  await stranger.close();
}
