// Targets at least 44×44 px on the main staff pages too (issue 14): sign-in, the inbox, an
// appeal, the intake form (and its error state), the dashboard — on a phone, JavaScript on and
// off, in zh-CN and English (the header's language link). Same audit as the resident pages
// (../targets.ts).
import { test, expect, type Page } from '@playwright/test';
import { expectTargets } from '../targets';
import { submit, wizardToCheck } from '../resident/helpers';
import { STAFF, openFromInbox, staffLogin } from './helpers';

async function settle(page: Page, js: boolean): Promise<void> {
  if (js) await page.waitForLoadState('networkidle');
}

for (const js of [true, false]) {
  test.describe(js ? 'JS on' : 'JS off', () => {
    test.use({ javaScriptEnabled: js });

    test('sign-in, inbox, an appeal, intake and the dashboard, zh-CN and English', async ({ page, baseURL }) => {
      test.setTimeout(180_000);
      // An appeal in the street's area (community HD0101), so the inbox has one to open.
      await wizardToCheck(page, { hydrated: js });
      const { ticket } = await submit(page);
      await page.context().clearCookies();

      await page.goto('/staff/login');
      await settle(page, js);
      await expectTargets(page, 'sign-in, zh-CN');
      await staffLogin(page, STAFF.street);
      for (const lang of ['zh-CN', 'en']) {
        if (lang === 'en') {
          await page.locator('header a.lang').click();
          await expect(page.locator('html')).toHaveAttribute('lang', 'en');
          await page.goto('/staff');
        } else {
          await openFromInbox(page, ticket);
          await page.goto('/staff');
        }
        await settle(page, js);
        await expectTargets(page, `inbox, ${lang}`);
        await page.locator(`li.inbox-item[data-ticket="${ticket.replaceAll('-', '')}"] a.code`).click();
        await expect(page.locator('#appeal-details')).toBeVisible();
        await settle(page, js);
        await expectTargets(page, `an appeal, ${lang}`);
        await page.goto('/staff/appeal/new');
        await settle(page, js);
        await expectTargets(page, `intake, ${lang}`);
        await page.locator('main form button[type=submit]').last().click();
        await expect(page.locator('div.error-summary')).toHaveCount(1);
        await settle(page, js);
        await expectTargets(page, `intake, nothing filled, ${lang}`);
        await page.goto('/staff/dashboard');
        await settle(page, js);
        await expectTargets(page, `dashboard, ${lang}`);
      }
      // Signed out (no session), in English (the `lang` cookie the language link set): sign-in.
      await page.context().clearCookies();
      await page.context().addCookies([{ name: 'lang', value: 'en', url: baseURL! }]);
      await page.goto('/staff/login');
      await expect(page.locator('html')).toHaveAttribute('lang', 'en');
      await settle(page, js);
      await expectTargets(page, 'sign-in, en');
    });
  });
}
