// JavaScript OFF: the whole appeal flow works with server-rendered forms only — the region
// cascade by "更新下一级选项", a named appeal, the receipt, and tracking typed in by hand.
import { test, expect } from '@playwright/test';
import {
  DESCRIPTION,
  ERR,
  UNIT,
  checkSummary,
  chooseCategory,
  chooseRegion,
  continueFromPhotos,
  continueFromWhere,
  describe,
  expectTrackResult,
  identify,
  startAppeal,
  submit,
  trackByForm,
  urlRe,
} from './helpers';

test('submit via the region cascade, named, then track by typing ticket and key', async ({ page }) => {
  // Without JavaScript the home page still leads into the wizard.
  await page.goto('/');
  await expect(page.locator('p.emergency')).toContainText('110');
  await expect(page.locator('a.door-submit')).toHaveAttribute('href', '/appeal/new');

  await startAppeal(page);
  // "使用我的位置" needs JavaScript: rendered hidden.
  await chooseCategory(page, 'wage_arrears');
  await describe(page);

  await expect(page.getByRole('button', { name: '使用我的位置' })).toBeHidden();
  await chooseRegion(page, { district: 'HD', street: 'HD01' });
  await expect(page.locator('select#region option:checked')).toHaveText('河东区');
  await expect(page.locator('select#street option:checked')).toHaveText('东关街道');
  await page.locator('input#address_note').fill('建筑工地项目部');
  await continueFromWhere(page);
  await expect(page.locator('ul.photos')).toHaveCount(0);
  await continueFromPhotos(page);
  await identify(page, { name: '王师傅', phone: '13800138000' });

  const summary = await checkSummary(page);
  expect(summary).toEqual({
    类别: '劳资欠薪',
    事情经过: DESCRIPTION,
    位置: '河东区 / 东关街道 / 建筑工地项目部',
    照片: '0 张',
    反映人: '王师傅 · 138****8000',
    公开描述: '不公开',
  });
  // The wage category's answers (issue 13), as they will be stored.
  await expect(page.locator('dl.summary > div.summary-row.answer')).toHaveCount(3);
  await expect(page.locator('dl.summary > div.summary-row.answer').nth(1)).toContainText('3000 元');

  const receipt = await submit(page);
  await expect(page.locator('#unit')).toHaveText(new RegExp(`^${UNIT.labourHD}(\\s|$)`));

  // Copy the codes from the receipt's text, as a resident would, and type them in.
  await page.goto('/track');
  await expect(page.locator('main h1')).toHaveText('查进度');
  await page.locator('#ticket').fill(receipt.ticket);
  await page.locator('#key').fill(receipt.key);
  await page.getByRole('button', { name: '查询' }).click();
  // A POST form: the codes never appear in an address; the result comes from this browser's
  // session cookie.
  await expect(page).toHaveURL(urlRe('/track'));
  await expectTrackResult(page, { ticket: receipt.ticket, unit: UNIT.labourHD });
  // Reloading does not re-post (303 after the POST) and still shows it.
  await page.reload();
  await expectTrackResult(page, { ticket: receipt.ticket, unit: UNIT.labourHD });
  await expect(page.locator('dl#track-result')).toContainText('劳资欠薪');
});

test('a wrong key or a wrong ticket gives the same generic message', async ({ page }) => {
  await startAppeal(page);
  await chooseCategory(page, 'wage_arrears');
  await describe(page);
  await chooseRegion(page, { district: 'HD' });
  await continueFromWhere(page);
  await continueFromPhotos(page);
  await identify(page, 'anonymous');
  const receipt = await submit(page);
  await expect(page.locator('#unit')).toHaveText(new RegExp(`^${UNIT.labourHD}(\\s|$)`));

  // Same length and alphabet as the real key, one character changed.
  const last = receipt.key.at(-1)!;
  const wrongKey = receipt.key.slice(0, -1) + (last === 'A' ? 'B' : 'A');
  const body = receipt.ticket.slice(3).replace('-', '');
  const wrongTicket = `PA-${body.slice(0, 4)}-${body.slice(4, 7)}${body.at(-1) === 'A' ? 'B' : 'A'}`;

  const notFound = async (ticket: string, key: string) => {
    await page.goto('/track');
    await page.locator('#ticket').fill(ticket);
    await page.locator('#key').fill(key);
    await page.getByRole('button', { name: '查询' }).click();
    await expect(page).toHaveURL(urlRe('/track'));
    await expect(page.locator('dl#track-result')).toHaveCount(0);
    await expect(page.locator('ol.timeline')).toHaveCount(0);
    const alert = page.locator('main div.error-summary[role=alert]');
    await expect(alert).toHaveCount(1);
    await expect(alert).toHaveText(ERR.trackNotFound);
    // The form is shown again with the typed ticket; the key is never sent back.
    await expect(page.locator('#ticket')).toHaveValue(ticket);
    await expect(page.locator('#key')).toHaveValue('');
    return (await page.locator('main').innerText()).replaceAll(ticket, 'T').replaceAll(key, 'K');
  };

  const wrongKeyPage = await notFound(receipt.ticket, wrongKey);
  const wrongTicketPage = await notFound(wrongTicket, receipt.key);
  // Nothing on the page tells which of the two was wrong.
  expect(wrongTicketPage).toBe(wrongKeyPage);

  // And the right pair still works.
  await trackByForm(page, receipt.ticket, receipt.key);
  await expectTrackResult(page, { ticket: receipt.ticket, unit: UNIT.labourHD });
});
