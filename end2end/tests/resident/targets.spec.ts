// Targets at least 44×44 px in the STANDARD mode too (issue 14), not only in elder mode: every
// resident page — each wizard step and its error state, the receipt, tracking, receipt recovery,
// the legal centre (an article, the eligibility self-check and its answer, the service points),
// the statistics — on a phone, JavaScript on and off, in zh-CN and in English (switched with the
// header's language link, as a resident does). The audit is `smallTargets` (../targets.ts): the
// only exemption is a link inside running text (WCAG 2.5.8's inline exception).
import { test, expect, type Page } from '@playwright/test';
import { expectTargets } from '../targets';
import { DESCRIPTION, PNG_1X1, TOKEN, urlRe } from './helpers';

/** The wizard's own "continue" (language-neutral: the step form's nameless submit button). */
const next = (page: Page) => page.locator('form.step-form button.button[type=submit]:not([name])');

async function open(page: Page, path: string, js: boolean): Promise<void> {
  const res = await page.goto(path);
  expect(res?.status(), path).toBe(200);
  if (js) await page.waitForLoadState('networkidle');
}

async function settle(page: Page, js: boolean): Promise<void> {
  if (js) await page.waitForLoadState('networkidle');
}

/** On step `step` of a draft (the URL; titles differ by language). */
async function onStep(page: Page, step: string): Promise<void> {
  await expect(page).toHaveURL(new RegExp(`/appeal/${TOKEN}/${step}(\\?.*)?(#.*)?$`));
}

async function expectError(page: Page): Promise<void> {
  await expect(page.locator('div.error-summary')).toHaveCount(1);
}

for (const js of [true, false]) {
  for (const lang of ['zh-CN', 'en'] as const) {
    test.describe(`${js ? 'JS on' : 'JS off'}, ${lang}`, () => {
      test.use({ javaScriptEnabled: js });

      test.beforeEach(async ({ page }) => {
        if (lang === 'en') {
          await open(page, '/', js);
          await page.locator('header a.lang').click();
          await expect(page.locator('html')).toHaveAttribute('lang', 'en');
        }
      });

      test('the wizard, each step and its error state, the receipt and tracking', async ({ page }) => {
        test.setTimeout(120_000);
        await open(page, '/', js);
        await expectTargets(page, 'home');
        await open(page, '/appeal/new', js);
        await expectTargets(page, 'step 1');
        await next(page).click();
        await expectError(page);
        await expectTargets(page, 'step 1, nothing chosen');
        await page.locator('input[type=radio][name=category][value=sanitation]').check();
        await next(page).click();
        await onStep(page, 'what');
        await settle(page, js);
        await expectTargets(page, 'step 2');
        await next(page).click();
        await expectError(page);
        await expectTargets(page, 'step 2, nothing written');
        await settle(page, js);
        await page.locator('textarea#description').fill(DESCRIPTION);
        await next(page).click();
        await onStep(page, 'where');
        await settle(page, js);
        await expectTargets(page, 'step 3');
        await next(page).click();
        await expectError(page);
        await expectTargets(page, 'step 3, no place');
        // The district, then (refining) its street: the map and the list show the next level.
        await page.locator('select#region').selectOption('HD');
        await page.locator('button[name=action][value=refine]').click();
        await expect(page.locator('select#street')).toHaveCount(1);
        await page.locator('select#street').selectOption('HD01');
        await page.locator('button[name=action][value=refine]').click();
        await expect(page.locator('select#community')).toHaveCount(1);
        await page.locator('select#community').selectOption('HD0101');
        await settle(page, js);
        await expectTargets(page, 'step 3, street chosen');
        await next(page).click();
        await onStep(page, 'photos');
        await settle(page, js);
        await expectTargets(page, 'step 4');
        // A file that is not an image: refused at the field. With JS it is sent when chosen.
        await page.locator('input#photo').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') });
        if (!js) await page.locator('form.upload button.button-secondary').click();
        await expectError(page);
        await settle(page, js);
        await expectTargets(page, 'step 4, not an image');
        await page.locator('input#photo').setInputFiles({ name: 'street.png', mimeType: 'image/png', buffer: PNG_1X1 });
        if (!js) await page.locator('form.upload button.button-secondary').click();
        await expect(page.locator('ul.photos > li')).toHaveCount(1);
        await settle(page, js);
        await expectTargets(page, 'step 4, one photo');
        await page.locator('#photos-continue').click();
        await onStep(page, 'who');
        await settle(page, js);
        await expectTargets(page, 'step 5');
        await page.locator('#identity-named').check();
        await page.locator('#name').fill('张三');
        await page.locator('#phone').fill('12345');
        await next(page).click();
        await expectError(page);
        await settle(page, js);
        await expectTargets(page, 'step 5, a wrong phone number');
        await page.locator('#phone').fill('13800138000');
        await next(page).click();
        await onStep(page, 'check');
        await settle(page, js);
        await expectTargets(page, 'step 6, the check page');
        await page.locator('form button.button-submit').click();
        await expect(page).toHaveURL(urlRe(`/receipt/${TOKEN}`));
        await settle(page, js);
        await expectTargets(page, 'the receipt');
        const ticket = (await page.locator('#ticket').innerText()).replace(/\s/g, '');
        const key = (await page.locator('#key').innerText()).replace(/\s/g, '');

        await open(page, '/track', js);
        await expectTargets(page, 'track');
        await page.locator('form#track-form #ticket').fill('PA-0000-0000');
        await page.locator('form#track-form #key').fill('AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AA');
        await page.locator('form#track-form button[type=submit]').click();
        await expect(page.locator('[role=alert]').first()).toBeVisible();
        await settle(page, js);
        await expectTargets(page, 'track, not found');
        await page.locator('form#track-form #ticket').fill(ticket);
        await page.locator('form#track-form #key').fill(key);
        await page.locator('form#track-form button[type=submit]').click();
        await expect(page.locator('dl#track-result')).toBeVisible();
        await settle(page, js);
        await expectTargets(page, 'a tracked appeal');
        await open(page, '/track/recover', js);
        await expectTargets(page, 'receipt recovery');
        await page.locator('main form #phone').fill('123');
        await page.locator('main form button[type=submit]').first().click();
        // Refused (or, after many runs from this client, rate-limited): either way a message.
        await expect(page.locator('[role=alert], p.field-error').first()).toBeVisible();
        await settle(page, js);
        await expectTargets(page, 'receipt recovery, refused');
      });

      test('the legal centre and the statistics', async ({ page }) => {
        test.setTimeout(120_000);
        await open(page, '/legal', js);
        await expectTargets(page, 'legal centre');
        const hrefs = await page
          .locator('main a[href^="/legal/articles/"], main a[href^="/legal/topic/"]')
          .evaluateAll((as) => as.map((a) => a.getAttribute('href') || ''));
        const article = hrefs.find((h) => h.startsWith('/legal/articles/'));
        const topic = hrefs.find((h) => h.startsWith('/legal/topic/'));
        expect(article && topic, 'the legal centre links an article and a topic').toBeTruthy();
        const paths = [
          article!,
          topic!,
          '/legal/search?q=%E5%B7%A5%E8%B5%84',
          '/legal/eligibility',
          '/legal/eligibility?matter=labour&group=none&means=below',
          '/legal/eligibility?matter=labour&group=none&means=above',
          '/legal/services',
          '/stats',
          '/stats?region=HD',
          '/stats?region=HD0101',
        ];
        for (const path of paths) {
          await open(page, path, js);
          await expectTargets(page, path);
        }
        await open(page, '/legal/eligibility', js);
        await page.locator('main form button[type=submit]').first().click();
        await expectError(page);
        await settle(page, js);
        await expectTargets(page, 'eligibility, unanswered');
      });
    });
  }
}
