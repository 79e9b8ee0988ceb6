// The admins' editors of issue 13 in a browser, JavaScript on and off: reply templates per
// category (refused with reasons at their fields, added, shown under the reply box of an appeal
// of that category, deleted) and extra questions per category (refused, added, asked in the
// resident's wizard at once, deleted and no longer asked). Every name carries the run's tag, so
// the two passes and a rerun against the same server never see each other's rows.
import { test, expect, type Page } from '@playwright/test';
import { chooseCategory, startAppeal, submit, wizardToCheck } from '../resident/helpers';
import { STAFF, act, openFromInbox, staffLogin, staffLogout } from './helpers';

async function settle(page: Page, js: boolean): Promise<void> {
  if (js) await page.waitForLoadState('networkidle');
}

/** The error summary lists exactly these messages, and each field shows its own. */
async function expectRefused(page: Page, form: string, errors: Array<[string, string]>): Promise<void> {
  const summary = page.locator(`${form} div.error-summary`);
  await expect(summary).toHaveCount(1);
  await expect(summary.locator('li')).toHaveText(errors.map(([, msg]) => msg));
  for (const [field, msg] of errors) {
    await expect(page.locator(`${form} #${field}-error`)).toHaveText(msg);
    await expect(page.locator(`${form} #${field}`)).toHaveAttribute('aria-invalid', 'true');
  }
}

for (const js of [true, false]) {
  test.describe(js ? 'JS on' : 'JS off', () => {
    test.use({ javaScriptEnabled: js });

    test('reply templates: refused with reasons, added, shown under the reply box, deleted', async ({ page }) => {
      test.setTimeout(120_000);
      const tag = `${js ? 'js' : 'nojs'}${Date.now().toString(36)}`;
      const title = `清运答复 ${tag}`;
      const body = `您好，已安排清运（${tag}）。\n如仍未处理，请再次反映。`;

      await staffLogin(page, STAFF.admin);
      await page.goto('/staff/admin/templates');
      await settle(page, js);
      await expect(page.locator('main h1')).toHaveText('答复模板');

      // Nothing filled: three reasons, each at its field, nothing stored.
      const fresh = page.locator('section#t-new');
      await fresh.getByRole('button', { name: '新增模板', exact: true }).click();
      await expect(page).toHaveTitle(/答复模板/);
      await expectRefused(page, 'section.template', [
        ['category', '请选择诉求类别'],
        ['title', '请填写标题'],
        ['body', '请填写内容'],
      ]);
      await expect(page.locator(`section.template:has-text("${tag}")`)).toHaveCount(0);

      // The refused form kept nothing typed to lose; fill it for real.
      const form = page.locator('section.template:has(div.error-summary)');
      await form.locator('#category').selectOption('sanitation');
      await form.locator('#title').fill(title);
      await form.locator('#body').fill(body);
      await form.getByRole('button', { name: '新增模板', exact: true }).click();
      await expect(page.locator('main p.notice[role=status]').first()).toHaveText('已保存。');
      const saved = page.locator(`#templates section.template:has(input[value="${title}"])`);
      await expect(saved).toHaveCount(1);
      await expect(saved).toHaveAttribute('data-category', 'sanitation');
      await staffLogout(page);

      // A sanitation appeal in 和平社区: its handler sees the template under the reply box.
      await page.context().clearCookies();
      await wizardToCheck(page, { hydrated: js });
      const { ticket } = await submit(page);
      await page.context().clearCookies();
      await staffLogin(page, STAFF.community);
      await openFromInbox(page, ticket);
      await act(page, 'sign', '签收');
      const shown = page.locator(`#reply-templates details.reply-template:has(summary:text-is("${title}"))`);
      await expect(shown).toHaveCount(1);
      await shown.locator('summary').click();
      await expect(shown.locator('blockquote')).toHaveText(body);
      await staffLogout(page);

      // Deleted by the admin: gone from the editor and from the appeal.
      await staffLogin(page, STAFF.admin);
      await page.goto('/staff/admin/templates');
      await settle(page, js);
      await saved.getByRole('button', { name: `删除 ${title}`, exact: true }).click();
      await expect(page.locator('main p.notice[role=status]').first()).toHaveText('已保存。');
      await expect(page.locator(`section.template:has(input[value="${title}"])`)).toHaveCount(0);
      await staffLogout(page);
      await staffLogin(page, STAFF.community);
      await openFromInbox(page, ticket);
      await expect(page.locator(`details.reply-template:has(summary:text-is("${title}"))`)).toHaveCount(0);
    });

    test('extra questions: refused with reasons, added, asked in the wizard at once, deleted', async ({ page }) => {
      test.setTimeout(120_000);
      const tag = `${js ? 'js' : 'nojs'}${Date.now().toString(36)}`;
      const code = `e2e_${tag}`;
      const label = `污染持续多久了？${tag.slice(-6)}`;

      await staffLogin(page, STAFF.admin);
      await page.goto('/staff/admin/questions?category=pollution');
      await settle(page, js);
      await expect(page.locator('main h1')).toHaveText('类别附加问题');
      await expect(page.locator('section#q-pollution h2')).toHaveText('环境污染');

      // A code with capitals and a space, no kind, no labels: each reason at its field.
      const add = page.locator('#qf-new');
      await add.locator('#code-new').fill('Bad Code');
      await add.getByRole('button', { name: '添加问题', exact: true }).click();
      await expect(page).toHaveTitle(/^请先改正以下问题: 类别附加问题/);
      await expectRefused(page, '#qf-new', [
        ['code', '代码须为 1–32 个小写字母、数字或下划线'],
        ['qkind', '请选择回答类型'],
        ['label', '请填写问题（中文和英文）'],
        ['label_en', '请填写问题（中文和英文）'],
      ]);
      // What was typed is still there to correct.
      await expect(page.locator('#qf-new #code')).toHaveValue('Bad Code');

      await page.locator('#qf-new #code').fill(code);
      await page.locator('#qf-new #qkind').selectOption('text');
      await page.locator('#qf-new #label').fill(label);
      await page.locator('#qf-new #label_en').fill(`How long has it gone on? ${tag}`);
      await page.locator('#qf-new #help').fill('例如：三天、两个月');
      await page.locator('#qf-new #max_len').fill('40');
      await page.locator('#qf-new').getByRole('button', { name: '添加问题', exact: true }).click();
      await expect(page.locator('main p.notice[role=status]').first()).toHaveText('已保存。');
      const item = page.locator(`li.question[data-code="${code}"]`);
      await expect(item).toHaveCount(1);
      await expect(item.locator('p.line2')).toHaveText('文字 · 可不答');
      await staffLogout(page);

      // The resident's wizard asks it on the "what happened" step, with its help, optional.
      await page.context().clearCookies();
      await startAppeal(page);
      await chooseCategory(page, 'pollution');
      const input = page.locator(`section.questions input#q_${code}`);
      await expect(input).toHaveCount(1);
      await expect(page.locator(`label[for="q_${code}"]`)).toContainText(label);
      // Room beyond the limit of 40, so a text a little too long gets a message, not a cut.
      await expect(input).toHaveAttribute('maxlength', '60');
      await expect(page.locator(`#q_${code}-hint`)).toHaveText('例如：三天、两个月');

      // Deleted: no longer asked (a new draft's step 2 has no such field).
      await page.context().clearCookies();
      await staffLogin(page, STAFF.admin);
      await page.goto('/staff/admin/questions?category=pollution');
      await settle(page, js);
      await item.getByRole('button', { name: `删除 ${label}`, exact: true }).click();
      await expect(page.locator('main p.notice[role=status]').first()).toHaveText('已保存。');
      await expect(page.locator(`li.question[data-code="${code}"]`)).toHaveCount(0);
      await staffLogout(page);
      await page.context().clearCookies();
      await startAppeal(page);
      await chooseCategory(page, 'pollution');
      await expect(page.locator(`input#q_${code}`)).toHaveCount(0);
    });
  });
}
