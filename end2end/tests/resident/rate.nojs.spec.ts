// JavaScript OFF: the resident rates a closed appeal "不满意"; it is reopened one level up with
// a new deadline, visible in the timeline; a second rating of the same round is not offered.
import { test, expect } from '@playwright/test';
import { chooseCategory, chooseRegion, continueFromPhotos, continueFromWhere, describe, identify, startAppeal, submit, trackByForm } from './helpers';
import { STAFF, act, openFromInbox, staffLogin } from '../staff/helpers';

test('unsatisfied rating reopens the appeal one level up', async ({ page, browser }) => {
  test.setTimeout(90_000);
  await startAppeal(page);
  await chooseCategory(page, 'sanitation');
  await describe(page);
  await chooseRegion(page, { district: 'HD', street: 'HD01', community: 'HD0101' });
  await continueFromWhere(page);
  await continueFromPhotos(page);
  await identify(page, 'anonymous');
  const receipt = await submit(page);
  expect(receipt.unit).toContain('东关街道和平社区居委会');

  // The community committee signs and closes (staff pages work without JavaScript too).
  const staffCtx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  const staff = await staffCtx.newPage();
  await staffLogin(staff, STAFF.community);
  await openFromInbox(staff, receipt.ticket);
  await act(staff, 'sign', '签收');
  await act(staff, 'close', '办结', { 'close-resolution': '已通知物业清运垃圾。' });
  await staffCtx.close();

  // The resident comes back and types the receipt's codes (JavaScript off).
  await trackByForm(page, receipt.ticket, receipt.key);
  await expect(page.locator('#track-result #status')).toHaveText('已办结');
  const rate = page.locator('section#rate');
  await expect(rate.locator('h2')).toHaveText('您对办理结果满意吗？');
  // Sending without choosing: a clear error, the comment kept.
  await rate.locator('#comment').fill('垃圾第二天又堆满了');
  await rate.getByRole('button', { name: '提交评价' }).click();
  await expect(page.locator('section#rate div.error-summary[role=alert] li a')).toHaveText('请选择满意、基本满意或不满意');
  await expect(page.locator('section#rate #comment')).toHaveValue('垃圾第二天又堆满了');
  // Not satisfied.
  await page.locator('section#rate').getByLabel('不满意').check();
  await page.locator('section#rate').getByRole('button', { name: '提交评价' }).click();
  await expect(page.locator('main p.notice[role=status]')).toHaveText('感谢您的评价。');
  await expect(page.locator('#track-result #status')).toHaveText('待签收');
  await expect(page.locator('#track-result #unit')).toContainText('河东区东关街道综治中心');
  const last = page.locator('ol.timeline > li').last();
  await expect(last.locator('p').first()).toHaveText('您不满意，已提级交 河东区东关街道综治中心 重新办理');
  await expect(page.locator('ol.timeline > li[data-kind=rated] p').first()).toHaveText('您的评价：不满意');
  await expect(page.locator('ol.timeline')).toContainText('垃圾第二天又堆满了');
  // One rating per round: the form is gone; the appeal is open again, so information can be added.
  await expect(page.locator('section#rate')).toHaveCount(0);
  await expect(page.locator('section#info h2')).toHaveText('补充情况');
});
