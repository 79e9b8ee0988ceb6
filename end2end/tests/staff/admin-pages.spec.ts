// The other admin pages in a browser, JavaScript on and off, in one admin session per pass (one
// TOTP sign-in): staff accounts (refused with reasons at their fields, created, switched off,
// a weak new password refused), holidays (refused, set, deleted), summons rules (ticked,
// saved, cleared again), the legal-content editor (a broken link refused with the text kept, an
// edit saved and shown on the public article, the text restored) and the audit page (the actions
// just made are listed, the hash chain checks out). Names and days carry the pass, so the two
// passes and a rerun against the same server never see each other's rows.
import { test, expect, type Page } from '@playwright/test';
import { STAFF, staffLogin } from './helpers';

async function settle(page: Page, js: boolean): Promise<void> {
  if (js) await page.waitForLoadState('networkidle');
}

/** The error summary lists exactly these messages, and each field shows its own (after the
 * summary's title, hidden but read out). */
async function expectRefused(page: Page, form: string, errors: Array<[string, string]>): Promise<void> {
  const summary = page.locator(`${form} div.error-summary`);
  await expect(summary).toHaveCount(1);
  await expect(summary.locator('li')).toHaveText(errors.map(([, msg]) => msg));
  for (const [field, msg] of errors) {
    await expect(page.locator(`${form} #${field}-error`)).toHaveText(`请先改正以下问题: ${msg}`);
    // A screen reader says the control is wrong and reads why.
    const control = page.locator(`${form} #${field}`);
    await expect(control).toHaveAttribute('aria-invalid', 'true');
    await expect(control).toHaveAttribute('aria-describedby', `${field}-error`);
  }
}

const saved = (page: Page) => page.locator('main p.notice[role=status]').first();

for (const js of [true, false]) {
  test.describe.serial(js ? 'JS on' : 'JS off', () => {
    test.use({ javaScriptEnabled: js });
    const tag = `${js ? 'js' : 'nojs'}${Date.now().toString(36)}`;
    let page: Page;

    test.beforeAll(async ({ browser }, info) => {
      info.setTimeout(90_000);
      const use = info.project.use;
      page = await browser.newContext({ ...use, javaScriptEnabled: js }).then((c) => c.newPage());
      await staffLogin(page, STAFF.admin);
    });

    test.afterAll(async () => {
      await page.context().close();
    });

    test('staff accounts: refused with reasons, created, switched off, a weak new password refused', async () => {
      const username = `e2e-u-${tag}`;
      const name = `测试员 ${tag}`;
      await page.goto('/staff/admin/staff');
      await settle(page, js);
      await expect(page.locator('main h1')).toHaveText('工作人员账号');

      await page.locator('#staff-create').getByRole('button', { name: '创建账号', exact: true }).click();
      await expectRefused(page, '#staff-create', [
        ['username', '用户名为 3–32 位小写字母、数字、点、横线或下划线'],
        ['name', '请填写姓名或称呼'],
        ['unit', '请选择一个存在的单位'],
        ['role', '请选择角色'],
        ['password', '密码至少 12 个字符'],
      ]);
      await expect(page.locator(`tr[data-username="${username}"]`)).toHaveCount(0);

      const form = page.locator('#staff-create');
      await form.locator('#username').fill(username);
      await form.locator('#name').fill(name);
      await form.locator('#unit').selectOption('U-HD0101');
      await form.locator('#role').selectOption('unit_handler');
      await form.locator('#password').fill('e2e another long passphrase');
      await form.getByRole('button', { name: '创建账号', exact: true }).click();
      await expect(saved(page)).toHaveText('已保存。');
      const row = page.locator(`#staff-table tr[data-username="${username}"]`);
      await expect(row).toHaveCount(1);
      await expect(row.locator('td')).toHaveText([
        username,
        name,
        '东关街道和平社区居委会',
        '办理人员',
        /^启用\s*停用$/,
        '新密码 重设密码',
      ]);

      // Switched off: the row says so and offers to switch it on again.
      await row.getByRole('button', { name: '停用', exact: true }).click();
      await expect(saved(page)).toHaveText('已保存。');
      await expect(row.locator('td').nth(4)).toHaveText(/^停用\s*启用$/);

      // A new password of one repeated character is refused (a short one the browser already stops).
      await expect(row.locator(`#pw-${username}`)).toHaveAttribute('minlength', '12');
      await row.locator(`#pw-${username}`).fill('aaaaaaaaaaaaaa');
      await row.getByRole('button', { name: '重设密码', exact: true }).click();
      const weak = '这个密码太常见或和用户名相关，请换一个';
      await expect(page.locator('main div.error-summary li')).toHaveText([weak]);
      // The summary leads to this row's password field, which says what is wrong with it.
      await expect(page.locator('main div.error-summary li a')).toHaveAttribute('href', `#pw-${username}`);
      const pw = row.locator(`#pw-${username}`);
      await expect(pw).toHaveAttribute('aria-invalid', 'true');
      await expect(pw).toHaveAttribute('aria-describedby', `pw-${username}-error`);
      await expect(row.locator(`#pw-${username}-error`)).toHaveText(`请先改正以下问题: ${weak}`);
      await expect(page.locator('input[aria-invalid=true]')).toHaveCount(1);
      await expect(saved(page)).toHaveCount(0);
      await expect(row.locator('td').nth(4)).toHaveText(/^停用\s*启用$/);
    });

    test('holidays: refused with reasons, set, listed, deleted', async () => {
      const day = js ? '2099-10-02' : '2099-10-03';
      const name = `国庆 ${tag}`;
      await page.goto('/staff/admin/holidays');
      await settle(page, js);
      await expect(page.locator('main h1')).toHaveText('节假日和调休');

      await page.locator('#holidays-set').getByRole('button', { name: '保存', exact: true }).click();
      await expectRefused(page, '#holidays-set', [
        ['day', '日期格式为 2026-10-01'],
        ['name', '请填写这一天的名称，不超过 40 个字'],
      ]);

      const form = page.locator('#holidays-set');
      await form.locator('#day').fill(day);
      await form.locator('#kind').selectOption('workday');
      await form.locator('#name').fill(name);
      await form.getByRole('button', { name: '保存', exact: true }).click();
      await expect(saved(page)).toHaveText('已保存。');
      const row = page.locator(`#holidays tr[data-day="${day}"]`);
      await expect(row.locator('td').nth(0)).toHaveText(day);
      await expect(row.locator('td').nth(1)).toHaveText('调休上班');
      await expect(row.locator('td').nth(2)).toHaveText(name);

      await row.getByRole('button', { name: `删除 ${day}`, exact: true }).click();
      await expect(saved(page)).toHaveText('已保存。');
      await expect(page.locator(`#holidays tr[data-day="${day}"]`)).toHaveCount(0);
    });

    test('summons rules: a kind ticked and saved, then cleared to "any department"', async () => {
      const category = js ? 'neighbor_dispute' : 'family_dispute';
      await page.goto('/staff/admin/summons');
      await settle(page, js);
      const rule = page.locator(`section#rule-${category}`);
      await expect(rule).toHaveAttribute('data-kinds', '');
      await expect(rule.locator('p.hint')).toHaveText('未限定：任何部门');

      await rule.locator(`#rule-${category}-hrss`).check();
      await rule.locator(`#rule-${category}-justice`).check();
      await rule.getByRole('button', { name: '保存这个类别', exact: true }).click();
      await expect(saved(page)).toHaveText('已保存。');
      await expect(rule).toHaveAttribute('data-kinds', 'hrss,justice');
      await expect(rule.locator(`#rule-${category}-hrss`)).toBeChecked();
      await expect(rule.locator(`#rule-${category}-housing`)).not.toBeChecked();
      await expect(rule.locator('p.hint')).toHaveCount(0);

      await rule.locator(`#rule-${category}-hrss`).uncheck();
      await rule.locator(`#rule-${category}-justice`).uncheck();
      await rule.getByRole('button', { name: '保存这个类别', exact: true }).click();
      await expect(saved(page)).toHaveText('已保存。');
      await expect(rule).toHaveAttribute('data-kinds', '');
      await expect(rule.locator('p.hint')).toHaveText('未限定：任何部门');
    });

    test('legal editor: a broken link refused with the text kept, an edit shown on the article, restored', async () => {
      const slug = js ? 'inheritance-basics' : 'legal-aid-who-qualifies';
      const line = `E2E 校对记录 ${tag}`;
      await page.goto('/staff/admin/legal');
      await settle(page, js);
      await expect(page.locator('main h1')).toHaveText('法律文章');
      await page.locator(`#legal-articles a[href="/staff/admin/legal?slug=${slug}"]`).click();
      const text = page.locator('#legal-edit #markdown');
      await expect(text).toHaveCount(1);
      const original = await text.inputValue();
      expect(original.length).toBeGreaterThan(100);

      // A link to an article that does not exist: not saved, the problem listed, the text kept.
      const broken = `${original}\n\n[${line}](/legal/articles/no-such-${tag})`;
      await text.fill(broken);
      await page.locator('#legal-edit').getByRole('button', { name: '保存文章', exact: true }).click();
      const problems = page.locator('#legal-problems');
      await expect(problems.locator('p')).toHaveText('没有保存，请改正：');
      await expect(problems.locator('li')).toHaveText([
        `链接 /legal/articles/no-such-${tag} 指向的文章“no-such-${tag}”不存在`,
      ]);
      await expect(text).toHaveValue(broken);
      await expect(saved(page)).toHaveCount(0);

      await text.fill(`${original}\n\n${line}`);
      await page.locator('#legal-edit').getByRole('button', { name: '保存文章', exact: true }).click();
      await expect(saved(page)).toHaveText('已保存。');
      await expect(page.locator('#legal-problems')).toHaveCount(0);
      await expect(text).toHaveValue(`${original.trim()}\n\n${line}`);
      await page.goto(`/legal/articles/${slug}`);
      await expect(page.locator('main')).toContainText(line);

      // Restored as it was.
      await page.goto(`/staff/admin/legal?slug=${slug}`);
      await settle(page, js);
      await text.fill(original);
      await page.locator('#legal-edit').getByRole('button', { name: '保存文章', exact: true }).click();
      await expect(saved(page)).toHaveText('已保存。');
      // (Asked outside the browser: it may keep the article's page for a minute, max-age=60.)
      const after = await page.request.get(`/legal/articles/${slug}`);
      expect(after.status()).toBe(200);
      expect(await after.text()).not.toContain(line);
    });

    test('audit: the actions just made are listed, filtered by action, and the chain checks out', async () => {
      await page.goto('/staff/admin/audit');
      await settle(page, js);
      await expect(page.locator('main h1')).toHaveText('审计日志');
      const table = page.locator('#audit-table tbody');
      const username = `e2e-u-${tag}`;
      await expect(table.locator(`tr[data-action="staff_create"]:has-text("${username}")`)).toHaveCount(1);
      await expect(table.locator('tr[data-action="staff_create"]').first()).toContainText('e2e-admin');

      // Filtered by action: only that action's rows, ours among them.
      await page.locator('#a-action').fill('staff_deactivate');
      await page.getByRole('button', { name: '筛选', exact: true }).click();
      await expect(page).toHaveURL(/action=staff_deactivate/);
      await expect(table.locator('tr').first()).toHaveAttribute('data-action', 'staff_deactivate');
      const actions = await table.locator('tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
      expect(new Set(actions)).toEqual(new Set(['staff_deactivate']));

      for (const action of ['holiday_set', 'holiday_delete', 'summon_rules_set', 'edit_legal_article']) {
        await page.goto(`/staff/admin/audit?action=${action}`);
        await expect(table.locator(`tr[data-action="${action}"]`).first()).toContainText('e2e-admin');
      }

      await page.goto('/staff/admin/audit');
      await settle(page, js);
      await page.getByRole('button', { name: '核对哈希链', exact: true }).click();
      await expect(saved(page)).toHaveText('审计日志完整：逐条核对了哈希链，没有发现改动。');
      await expect(page.locator('#verify-result')).toHaveText(/^已核对 \d+ 条\s*$/);
    });
  });
}
