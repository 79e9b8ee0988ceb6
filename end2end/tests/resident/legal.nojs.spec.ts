// JavaScript OFF: the legal-aid centre works with server-rendered GET forms only. From /legal,
// the self-check asks one question per page (earlier answers ride along as hidden fields), shows
// a result, and its button starts a legal-aid appeal with the answers already written into
// "what happened".
import { test, expect, type Page } from '@playwright/test';
import { STEPS, continueButton, expectStep, urlRe } from './helpers';

/** The self-check's question pages: heading and "第 n 个问题". */
const QUESTIONS = {
  matter: { n: 1, title: '您遇到的是哪一类事情？' },
  group: { n: 2, title: '下面的情况，有符合您的吗？' },
  means: { n: 3, title: '您家的经济状况是？' },
} as const;

async function expectQuestion(page: Page, q: keyof typeof QUESTIONS): Promise<void> {
  await expect(page).toHaveURL(/\/legal\/eligibility(\?.*)?$/);
  await expect(page.locator('main h1')).toHaveText(QUESTIONS[q].title);
  await expect(page.locator('p.step-of')).toContainText(`第 ${QUESTIONS[q].n} 个问题`);
  await expect(page).toHaveTitle(`${QUESTIONS[q].title} - 法律援助自测 - 平安键`);
  // One question per page: only this question's radios are on it.
  await expect(page.locator('form.step-form input[type=radio]').first()).toHaveAttribute('name', q);
  await expect(page.locator(`form.step-form input[type=radio]:not([name=${q}])`)).toHaveCount(0);
}

async function answer(page: Page, q: keyof typeof QUESTIONS, value: string): Promise<void> {
  await page.locator(`input[type=radio][name=${q}][value="${value}"]`).check();
  await continueButton(page).click();
}

test('self-check one question per page, then a prefilled legal-aid appeal', async ({ page }) => {
  await page.goto('/legal');
  await expect(page.locator('main h1')).toHaveText('法律帮助');
  await expect(page.locator('p.disclaimer')).toHaveCount(0);
  await page.locator('a#eligibility-link').click();

  // Question 1. Continuing without an answer shows the question again with an error.
  await expectQuestion(page, 'matter');
  await continueButton(page).click();
  await expect(page.locator('main h1')).toHaveText(QUESTIONS.matter.title);
  const summary = page.locator('div.error-summary[role=alert]');
  await expect(summary.locator('li a')).toHaveText('请选择一项');
  await expect(summary.locator('li a')).toHaveAttribute('href', '#matter');
  await expect(page).toHaveTitle(/^请先改正以下问题: /);
  await answer(page, 'matter', 'labour');

  // Question 2 carries the first answer.
  await expectQuestion(page, 'group');
  await expect(page).toHaveURL(/[?&]matter=labour(&|$)/);
  await expect(page.locator('input[type=hidden][name=matter]')).toHaveValue('labour');
  await answer(page, 'group', 'none');

  // Question 3 states the city's standard (configuration).
  await expectQuestion(page, 'means');
  await expect(page.locator('#income-standard')).toContainText(/本市标准（由市司法局公布）：家庭人均每月收入 \d+ 元/);
  await expect(page.locator('input[type=hidden][name=group]')).toHaveValue('none');
  await answer(page, 'means', 'below');

  // The result: likely eligible, why, the answers, what to bring, where to apply.
  await expect(page.locator('main h1')).toHaveText('您可能符合法律援助条件');
  await expect(page.locator('#eligibility-result')).toHaveAttribute('data-outcome', 'likely');
  await expect(page.locator('ul.reasons li')).toHaveCount(2);
  await expect(page.locator('dl#your-answers > div.summary-row')).toHaveCount(3);
  await expect(page.locator('dl#your-answers')).toContainText('要求确认劳动关系或者支付工资（劳动报酬）');
  await expect(page.locator('ul.docs li')).toHaveCount(4);
  await expect(page.locator('ul.services li.service').first()).toContainText('法律援助中心');
  await expect(page.locator('p.disclaimer')).toHaveText('这是一般性法律信息，不是针对您个人情况的法律意见。');

  // The button starts the appeal wizard: legal_aid preselected, the answers carried along.
  await page.locator('a#start-appeal').click();
  await expect(page).toHaveURL(/\/appeal\/new\?category=legal_aid&description=/);
  await expect(page.locator('main h1')).toHaveText(STEPS.category.title);
  await expect(page.locator('p.step-of')).toHaveText('第 1 步，共 6 步');
  await expect(page.locator('input[type=radio][name=category][value="legal_aid"]')).toBeChecked();
  await expect(page.locator('#carried-description')).toBeVisible();
  await continueButton(page).click();

  await expectStep(page, 'what');
  const text = page.locator('textarea#description');
  await expect(text).toHaveValue(/【法律援助自测】/);
  await expect(text).toHaveValue(/要求确认劳动关系或者支付工资（劳动报酬）/);
  await expect(text).toHaveValue(/每人每月收入不高于本市标准（\d+ 元）/);
  await expect(text).toHaveValue(/您可能符合法律援助条件/);
});

test('articles, search and the directory without JavaScript', async ({ page }) => {
  await page.goto('/legal');
  await page.locator('input#q').fill('仲裁');
  await page.getByRole('button', { name: '搜索' }).click();
  await expect(page).toHaveURL(urlRe('/legal/search\\?q=%E4%BB%B2%E8%A3%81'));
  await expect(page.locator('#search-status')).toHaveText('“仲裁”的搜索结果');
  const first = page.locator('#hits-articles + ol li.hit').first();
  await expect(first.locator('mark').first()).toHaveText('仲裁');
  await first.locator('a').click();

  await expect(page).toHaveURL(urlRe('/legal/articles/labour-arbitration-how'));
  await expect(page.locator('main h1')).toHaveText('劳动仲裁怎么申请，一步一步说清楚');
  await expect(page.locator('p.disclaimer')).toHaveText('这是一般性法律信息，不是针对您个人情况的法律意见。');
  await expect(page.locator('.legal-article time')).toHaveAttribute('datetime', /^\d{4}-\d{2}-\d{2}$/);
  await expect(page.locator('.article-body h1')).toHaveCount(0);

  // The directory by the region cascade: district, then ("查找") the street.
  await page.goto('/legal/services');
  await expect(page.getByRole('button', { name: '使用我的位置' })).toBeHidden();
  await page.locator('select#kind').selectOption('mediation_committee');
  await page.locator('select#district').selectOption('HD');
  await page.getByRole('button', { name: '查找' }).click();
  await page.locator('select#street').selectOption('HD01');
  await page.getByRole('button', { name: '查找' }).click();
  await expect(page.locator('li#svc-LS-HD01-MED')).toContainText('东关街道人民调解委员会');
  await expect(page.locator('li#svc-LS-HD02-MED')).toHaveCount(0);
});
