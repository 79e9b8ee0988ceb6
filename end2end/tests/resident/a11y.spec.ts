// Accessibility checked, not assumed (issue 14): axe-core's WCAG 2.0/2.1/2.2 A and AA rules on
// every resident page, the legal pages, the statistics and the main staff pages, on a phone
// viewport, in zh-CN and English, in elder mode, and on the error state of each wizard step.
// Zero violations is the bar.
//
// "JS off" here is a browser whose requests for every script file fail: the client bundle
// (/pkg/*.js, *.wasm) and the plain page scripts (/photo-upload.js, /offline.js,
// /intake-print.js, the service worker). The page is the server's HTML with nothing hydrated and
// nothing run, which is what a browser with JavaScript off gets. (axe itself is a script, put in
// by Playwright, so Chromium's own JavaScript switch cannot be used to run it; the pages' JS-off
// behaviour is covered by the *.nojs specs.)
import { test, expect, type BrowserContext, type Page } from '@playwright/test';
import {
  DESCRIPTION,
  audit,
  PNG_1X1,
  answerQuestions,
  chooseCategory,
  chooseRegion,
  continueButton,
  continueFromPhotos,
  continueFromWhere,
  expectStep,
  startAppeal,
  submit,
  trackByForm,
} from './helpers';
import { STAFF, staffLogin } from '../staff/helpers';

const MODES = [
  { name: 'JS on', js: true },
  { name: 'JS off', js: false },
] as const;

async function setUp(context: BrowserContext, js: boolean, cookies: Record<string, string> = {}): Promise<void> {
  if (!js) await context.route(/\.(js|wasm)(\?.*)?$/, (r) => r.abort());
  const url = process.env.BASE_URL || 'http://127.0.0.1:3917';
  const list = Object.entries(cookies).map(([name, value]) => ({ name, value, url }));
  if (list.length > 0) await context.addCookies(list);
}

/** The first article and topic the legal centre links to (content is imported data). */
async function legalLinks(page: Page): Promise<string[]> {
  await page.goto('/legal');
  const hrefs = await page.locator('main a[href^="/legal/articles/"], main a[href^="/legal/topic/"]').evaluateAll((as) =>
    as.map((a) => a.getAttribute('href') || ''),
  );
  const article = hrefs.find((h) => h.startsWith('/legal/articles/'));
  const topic = hrefs.find((h) => h.startsWith('/legal/topic/'));
  expect(article && topic, 'the legal centre links an article and a topic').toBeTruthy();
  return [article!, topic!];
}

const PUBLIC = [
  '/',
  '/appeal/new',
  '/track',
  '/track/recover',
  '/legal',
  '/legal/services',
  '/legal/search?q=%E5%B7%A5%E8%B5%84',
  '/legal/eligibility',
  '/legal/eligibility?matter=labour&group=none&means=below',
  '/legal/eligibility?matter=labour&group=none&means=above',
  '/stats',
  '/stats?region=HD',
  '/stats?region=HD0101',
  '/stats?region=HD&map=satisfaction',
  '/staff/login',
];

for (const mode of MODES) {
  for (const variant of [
    { name: 'zh-CN', cookies: {} },
    { name: 'English', cookies: { lang: 'en' } },
    { name: 'elder mode', cookies: { elder: '1' } },
  ]) {
    test(`public pages, ${variant.name}, ${mode.name}: no WCAG A/AA violations`, async ({ page, context }) => {
      test.setTimeout(120_000);
      await setUp(context, mode.js, variant.cookies);
      const legal = await legalLinks(page);
      for (const path of [...PUBLIC, ...legal]) {
        const res = await page.goto(path);
        expect(res?.status(), path).toBe(200);
        await audit(page, `${variant.name} ${mode.name} ${path}`);
      }
      // Error states that need no draft: a wrong track lookup, a malformed recovery number, the
      // eligibility check's question without an answer.
      await page.goto('/track');
      await page.locator('form#track-form #ticket').fill('PA-0000-0000');
      await page.locator('form#track-form #key').fill('AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AA');
      await page.locator('form#track-form button[type=submit]').click();
      await expect(page.locator('[role=alert]').first()).toBeVisible();
      await audit(page, `${variant.name} ${mode.name} track lookup refused`);
      await page.goto('/legal/eligibility');
      await page.locator('main form button[type=submit]').first().click();
      await expect(page.locator('div.error-summary')).toHaveCount(1);
      await audit(page, `${variant.name} ${mode.name} eligibility unanswered`);
    });
  }

  test(`the wizard with an error at every step, receipt and tracking, ${mode.name}`, async ({ page, context }) => {
    test.setTimeout(120_000);
    await setUp(context, mode.js);
    await startAppeal(page);
    await audit(page, 'step 1');
    await continueButton(page).click();
    await expect(page.locator('div.error-summary')).toHaveCount(1);
    await audit(page, 'step 1, nothing chosen');
    // The wage category: its extra questions are asked on step 2 (issue 13).
    await chooseCategory(page, 'wage_arrears');
    await continueButton(page).click();
    await expectStep(page, 'what');
    await expect(page.locator('div.error-summary')).toHaveCount(1);
    await audit(page, 'step 2, nothing written');
    await page.locator('textarea#description').fill(DESCRIPTION);
    await answerQuestions(page);
    await continueButton(page).click();
    await expectStep(page, 'where');
    await continueButton(page).click();
    await expect(page.locator('div.error-summary')).toHaveCount(1);
    await audit(page, 'step 3, no place');
    await chooseRegion(page, { district: 'HD', street: 'HD01', community: 'HD0101' });
    await audit(page, 'step 3, place chosen');
    await continueFromWhere(page);
    // A file that is not an image, sent as soon as it is chosen with JavaScript (issue 14), by
    // "上传这张照片" without: refused at the field.
    const choose = async (file: { name: string; mimeType: string; buffer: Buffer }) => {
      await page.locator('input#photo').setInputFiles(file);
      if (!mode.js) await page.getByRole('button', { name: '上传这张照片' }).click();
    };
    await choose({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') });
    await expectStep(page, 'photos');
    await expect(page.locator('div.error-summary')).toHaveCount(1);
    await audit(page, 'step 4, not an image');
    await choose({ name: 'street.png', mimeType: 'image/png', buffer: PNG_1X1 });
    await expect(page.locator('ul.photos > li')).toHaveCount(1);
    await audit(page, 'step 4, one photo');
    await continueFromPhotos(page);
    await page.locator('#identity-named').check();
    await page.locator('#name').fill('张三');
    await page.locator('#phone').fill('12345');
    await continueButton(page).click();
    await expectStep(page, 'who');
    await expect(page.locator('div.error-summary')).toHaveCount(1);
    await audit(page, 'step 5, a wrong phone number');
    await page.locator('#phone').fill('13800138000');
    await continueButton(page).click();
    await expectStep(page, 'check');
    await audit(page, 'step 6, the check page');
    const receipt = await submit(page);
    await audit(page, 'the receipt');
    await trackByForm(page, receipt.ticket, receipt.key);
    await expect(page.locator('dl#track-result')).toBeVisible();
    await audit(page, 'the tracked appeal');
  });

  // The same error states in English (the messages, the summary and its links are other text).
  test(`the wizard's error states in English, ${mode.name}`, async ({ page, context }) => {
    test.setTimeout(120_000);
    await setUp(context, mode.js, { lang: 'en' });
    const next = page.locator('form.step-form button.button[type=submit]', { hasText: 'Continue' });
    const step = (slug: string) => expect(page).toHaveURL(new RegExp(`/appeal/[A-Za-z0-9]+/${slug}(\\?.*)?(#.*)?$`));
    const refused = async (what: string) => {
      await expect(page.locator('div.error-summary')).toHaveCount(1);
      // In English: no Chinese character in the summary (its heading alone is English anyway).
      await expect(page.locator('div.error-summary')).not.toContainText(/[\u4e00-\u9fff]/);
      await audit(page, `English ${mode.name}: ${what}`);
    };
    await page.goto('/appeal/new');
    await next.click();
    await refused('step 1, nothing chosen');
    await page.locator('input[type=radio][name=category][value="wage_arrears"]').check();
    await next.click();
    await step('what');
    await next.click();
    await refused('step 2, nothing written');
    await page.locator('textarea#description').fill(DESCRIPTION);
    await answerQuestions(page);
    await next.click();
    await step('where');
    await next.click();
    await refused('step 3, no place');
    const refine = page.getByRole('button', { name: 'Show the next level' });
    await page.locator('select#region').selectOption('HD');
    await refine.click();
    await page.locator('select#street').selectOption('HD01');
    await refine.click();
    await page.locator('select#community').selectOption('HD0101');
    await next.click();
    await step('photos');
    await page.locator('input#photo').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') });
    if (!mode.js) await page.getByRole('button', { name: 'Upload this photo' }).click();
    await refused('step 4, not an image');
  });

  test(`staff pages, ${mode.name}: no WCAG A/AA violations`, async ({ page, context }) => {
    test.setTimeout(120_000);
    await setUp(context, mode.js);
    await staffLogin(page, STAFF.street);
    await audit(page, 'the inbox');
    const first = page.locator('li.inbox-item a.code').first();
    if ((await first.count()) > 0) {
      await first.click();
      await expect(page.locator('main h1')).toHaveText(/^诉求 /);
      await audit(page, 'an appeal');
    }
    for (const path of ['/staff/dashboard', '/staff/appeal/new', '/staff/cases', '/staff/callbacks', '/staff/account']) {
      const res = await page.goto(path);
      expect(res?.status(), path).toBe(200);
      await audit(page, path);
    }
    // The intake form's error state.
    await page.goto('/staff/appeal/new');
    await page.locator('main form button[type=submit]').last().click();
    await expect(page.locator('div.error-summary')).toHaveCount(1);
    await audit(page, 'intake, nothing filled');
  });
}
