// The staff workflow on a phone: a grid worker signs for an appeal and replies; the street
// dispatcher takes it over and escalates it; the district dispatcher summons a department
// (吹哨报到); the department reports back; the district closes it. The resident, with
// JavaScript off, sees all of it on the track page.
import { test, expect, type Browser } from '@playwright/test';
import { DESCRIPTION, chooseCategory, continueFromLocated, continueFromPhotos, describeHydrated, identify, startAppeal, submit, trackByForm } from '../resident/helpers';
import { STAFF, act, expectStatus, openFromInbox, staffLogin, staffLogout } from './helpers';

test.use({
  geolocation: { latitude: 35.485, longitude: 106.605 }, // grid cell HD010101
  permissions: ['geolocation'],
});

async function residentTrackJsOff(browser: Browser, ticket: string, key: string) {
  const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  const page = await ctx.newPage();
  await trackByForm(page, ticket, key);
  return { ctx, page };
}

test('grid worker, dispatchers and a department handle one appeal; the resident sees it all', async ({ page, browser }) => {
  test.setTimeout(120_000);
  // The resident reports a neighbour dispute from where it happens.
  await startAppeal(page);
  await chooseCategory(page, 'neighbor_dispute');
  await describeHydrated(page, DESCRIPTION);
  await page.getByRole('button', { name: '使用我的位置' }).click();
  await expect(page.locator('.locate p.status[role=status]')).toHaveText('已获取位置');
  await continueFromLocated(page);
  await continueFromPhotos(page);
  await identify(page, { name: '陈大爷', phone: '13600136000' });
  const receipt = await submit(page);
  expect(receipt.unit).toContain('东关街道和平社区第1网格工作站');
  await page.context().clearCookies();

  // 1. The grid worker, on the phone: sees it in the inbox, signs for it, replies.
  await staffLogin(page, STAFF.grid);
  await openFromInbox(page, receipt.ticket);
  await expectStatus(page, '待签收', '东关街道和平社区第1网格工作站');
  await expect(page.locator('#contact-masked')).toContainText('136****6000');
  // Staff read the timeline in the third person: the resident submitted it, not "you".
  await expect(page.locator('#staff-timeline > li').first()).toContainText('群众提交了诉求');
  await expect(page.locator('#staff-timeline')).not.toContainText('您提交了诉求');
  // On a desktop screen the actions sit side by side in two columns (not one narrow column),
  // and only the main steps are filled buttons.
  await page.setViewportSize({ width: 1280, height: 900 });
  const columns = await page.locator('.actions').evaluate((e) => getComputedStyle(e).gridTemplateColumns.trim().split(/\s+/).length);
  expect(columns, 'two columns of actions at 1280 px').toBe(2);
  const filled = await page.locator('.actions section.action .button').evaluateAll((bs) =>
    bs.filter((b) => getComputedStyle(b).backgroundColor !== 'rgb(255, 255, 255)').map((b) => b.closest('section')?.id),
  );
  expect(filled.length, `filled buttons: ${filled.join(', ')}`).toBeLessThan(
    await page.locator('.actions section.action .button').count(),
  );
  await page.setViewportSize({ width: 390, height: 844 });
  await act(page, 'sign', '签收');
  await expectStatus(page, '办理中');
  await act(page, 'reply', '答复群众', { 'reply-body': '网格员已到现场，正在了解楼上装修的情况。' });
  await staffLogout(page);

  // 2. The street centre takes it over (it oversees the grid) and escalates to the district.
  await staffLogin(page, STAFF.street);
  await openFromInbox(page, receipt.ticket);
  await act(page, 'transfer', '转交其他单位', { 'transfer-unit': 'U-HD01', 'transfer-reason': '装修扰民反复发生，街道统筹处理' });
  await expectStatus(page, '待签收', '河东区东关街道综治中心');
  await act(page, 'sign', '签收');
  await expect(page.locator('section#escalate p.hint')).toHaveText('将上报到：河东区综治中心');
  await act(page, 'escalate', '上报上一级', { 'escalate-reason': '施工方涉嫌拖欠工人工资，需区里协调人社局' });
  // Now above the street's scope: back to the inbox, where it no longer is.
  await expect(page).toHaveURL(/\/staff$/);
  await expect(page.locator(`li.inbox-item[data-ticket="${receipt.ticket.replaceAll('-', '')}"]`)).toHaveCount(0);
  await staffLogout(page);

  // 3. The district centre signs and summons the labour bureau (吹哨).
  await staffLogin(page, STAFF.district);
  await openFromInbox(page, receipt.ticket);
  await act(page, 'sign', '签收');
  await act(page, 'summon', '吹哨报到：召集部门协办', { 'check:河东区人力资源和社会保障局': '', 'summon-note': '请核查施工方工资支付情况' });
  await expect(page.locator('ul.cohandlers li[data-unit="D-HD-hrss"]')).toContainText('未反馈');
  // Closing must wait for the report.
  await page.locator('#close-resolution').fill('先试着办结');
  await page.locator('section#close').getByRole('button', { name: '办结', exact: true }).click();
  await expect(page.locator('section#close div.error-summary[role=alert]')).toHaveText('还有协办部门没有反馈，暂不能办结');
  await staffLogout(page);

  // 4. The department reports back.
  await staffLogin(page, STAFF.hrss);
  await openFromInbox(page, receipt.ticket);
  await act(page, 'report_back', '报到反馈', { 'report_back-body': '已约谈施工方，工资本周内结清。' });
  await staffLogout(page);

  // 5. The district (the lead) closes it.
  await staffLogin(page, STAFF.district);
  await openFromInbox(page, receipt.ticket);
  await expect(page.locator('ul.cohandlers li[data-unit="D-HD-hrss"]')).toContainText('已反馈');
  await act(page, 'close', '办结', { 'close-resolution': '施工时间已调整为白天，工人工资本周结清。' });
  await expectStatus(page, '已办结');
  // Internal notes never reach the resident; every step is in the staff timeline.
  const staffKinds = await page.locator('#staff-timeline > li').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
  expect(staffKinds).toEqual(['submitted', 'routed', 'signed', 'reply', 'transferred', 'signed', 'escalated', 'signed', 'summoned', 'reported_back', 'closed']);
  await staffLogout(page);

  // 6. The resident, JavaScript off, sees every public step.
  const { ctx, page: resident } = await residentTrackJsOff(browser, receipt.ticket, receipt.key);
  await expect(resident.locator('#track-result #status')).toHaveText('已办结');
  const lines = await resident.locator('ol.timeline > li > p:first-of-type').allInnerTexts();
  expect(lines).toEqual([
    '您提交了诉求',
    '系统按属地和事项分派给：东关街道和平社区第1网格工作站',
    '东关街道和平社区第1网格工作站 已签收',
    '答复',
    '已转交 河东区东关街道综治中心 办理',
    '河东区东关街道综治中心 已签收',
    '已上报 河东区综治中心',
    '河东区综治中心 已签收',
    '已召集协办部门：河东区人力资源和社会保障局',
    '河东区人力资源和社会保障局 已报到反馈',
    '已办结',
  ]);
  await expect(resident.locator('ol.timeline')).toContainText('网格员已到现场，正在了解楼上装修的情况。');
  await expect(resident.locator('ol.timeline')).toContainText('施工时间已调整为白天，工人工资本周结清。');
  // The department's internal report is not shown to the resident.
  await expect(resident.locator('main')).not.toContainText('已约谈施工方');
  await ctx.close();
});
