// Issue 13: a community worker records an appeal brought by phone (a plain form: JavaScript on
// and off, both projects run this file), reads the receipt shown once, and the resident follows
// the appeal with it; the dashboard and the inbox search find it.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'fs';
import { trackByForm } from '../resident/helpers';
import { smsLines, waitForSms } from '../../sms-gateway';
import { STAFF, staffLogin, staffLogout, stored } from './helpers';

test('a phone appeal is recorded, its receipt shown once, and the resident tracks it', async ({ page, browser }, info) => {
  test.setTimeout(90_000);
  const js = info.project.name === 'mobile-js';
  const words = `电话反映楼道灯坏了两周 ${js ? 'js' : 'nojs'}-${Date.now() % 100000}`;
  await staffLogin(page, STAFF.community);
  await page.getByRole('link', { name: '登记诉求' }).click();
  await expect(page.locator('main h1')).toHaveText('登记电话、来访、巡查诉求');

  // Nothing chosen: every missing field says what is wrong, nothing is recorded.
  await page.getByRole('button', { name: '登记', exact: true }).click();
  await expect(page).toHaveTitle(/^请先改正以下问题/);
  await expect(page.locator('#intake p.field-error').first()).toBeVisible();
  await expect(page.locator('#intake-key')).toHaveCount(0);

  await page.locator('#channel-phone').check();
  await page.locator('#category').selectOption('sanitation');
  await page.locator('#description').fill(words);
  await page.locator('#cell').selectOption('HD010101');
  await page.locator('#identity-named').check();
  await page.locator('#name').fill('孙阿姨');
  await page.locator('#phone').fill('13500001234');
  await page.locator('#sms').check();
  const smsBefore = smsLines().length;
  await page.getByRole('button', { name: '登记', exact: true }).click();
  await expect(page).toHaveURL(/\/staff\/appeal\/new#receipt$/);
  const ticket = (await page.locator('#intake-ticket').innerText()).trim();
  const key = (await page.locator('#intake-key').innerText()).trim();
  expect(ticket).toMatch(/^PA-/);
  expect(page.url()).not.toContain(key.replaceAll('-', ''));
  await expect(page.getByText('短信已排队发送。')).toBeVisible();
  // At the counter the page is printed: only the receipt goes on paper, no staff bar, no form.
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('#intake-ticket')).toBeVisible();
  await expect(page.locator('#intake-key')).toBeVisible();
  await expect(page.locator('nav.staff-bar')).toBeHidden();
  await expect(page.locator('form#intake')).toBeHidden();
  await expect(page.locator('p.intake-another')).toBeHidden();
  await page.emulateMedia({ media: 'screen' });
  await expect(page.locator('form#intake')).toBeVisible();
  // The resident's SMS, as the gateway receives it: its own words with the ticket and key.
  const sms = await waitForSms('receipt', '13500001234', smsBefore);
  expect(sms.payload?.text || '').toContain(ticket);
  expect(sms.payload?.text || '').toContain(key);
  expect(sms.payload?.text || '').toContain('查询码');
  // Shown once: a reload no longer has it.
  await page.reload();
  await expect(page.locator('#intake-key')).toHaveCount(0);

  // The inbox search finds it by its words, posted and kept in the session like the phone
  // number below (words can name a resident): the address only says `by_words=1`.
  await page.goto('/staff');
  await page.locator('#f-status').selectOption('');
  await page.locator('#q').fill(words);
  await page.getByRole('button', { name: '筛选', exact: true }).click();
  await expect(page).toHaveURL(/by_words=1/);
  expect(page.url()).not.toContain(encodeURIComponent(words));
  await expect(page.locator(`a[href*="${encodeURIComponent(words.split(' ')[0])}"]`)).toHaveCount(0);
  await expect(page.locator(`li.inbox-item[data-ticket="${stored(ticket)}"]`)).toHaveCount(1);
  await expect(page.locator('p.found')).toHaveText('找到 1 件');
  // And by the resident's phone number: posted and kept in the session, never in the address
  // bar or any link of the page; the words stay as well.
  await page.locator('#phone').fill('135 0000 1234');
  await page.getByRole('button', { name: '筛选', exact: true }).click();
  await expect(page).toHaveURL(/by_phone=1/);
  expect(page.url()).not.toContain('1234');
  await expect(page.locator(`li.inbox-item[data-ticket="${stored(ticket)}"]`)).toHaveCount(1);
  await expect(page.locator('p.found')).toHaveText('找到 1 件');
  await expect(page.locator('#phone')).toHaveValue('135 0000 1234');
  await expect(page.locator('#q')).toHaveValue(words);
  await expect(page.locator('a[href*="1234"]')).toHaveCount(0);
  // The ledger with contact details: a posted form with a reason; the file has the number.
  await page.locator('details.pii-export summary').click();
  await page.locator('#pii-reason').fill('回访核实');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: '导出 CSV（含联系方式）' }).click(),
  ]);
  const csv = readFileSync((await download.path())!, 'utf8');
  expect(csv).toContain('13500001234');
  expect(csv).toContain(ticket);
  expect(csv.split('\r\n').length).toBe(3); // the header, the one appeal, the final line end
  // The dashboard counts it and draws the community's cells.
  await page.goto('/staff/dashboard');
  await expect(page.locator('main h1')).toHaveText('工作统计');
  await expect(page.locator('svg.cellmap path.cell')).not.toHaveCount(0);
  await staffLogout(page);

  // The resident, on their own phone, follows it with the receipt read to them.
  const ctx = await browser.newContext({ javaScriptEnabled: js, viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  const resident = await ctx.newPage();
  await trackByForm(resident, ticket, key);
  await expect(resident.locator('dl#track-result')).toBeVisible();
  await expect(resident.locator('dl#track-result')).toContainText('东关街道和平社区');
  await ctx.close();
});
