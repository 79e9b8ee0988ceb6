// The whole flow by keyboard alone (issue 14): from the home page through the wizard to the
// receipt and the track page with Tab, Space, Enter and typing — no click, no tap. Every control
// reached shows a visible focus ring and is inside the viewport when focused (never hidden under
// anything).
import { test, expect, type Locator, type Page } from '@playwright/test';
import { DESCRIPTION, expectStep, KEY_RE, TICKET_RE } from './helpers';

/** Presses Tab until `target` has focus (at most 80 times); checks the focus is visible. */
async function tabTo(page: Page, target: Locator, what: string): Promise<void> {
  for (let i = 0; i < 80; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) {
      const ring = await target.evaluate((el) => {
        const s = getComputedStyle(el);
        return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
      });
      expect(ring.style, `${what}: focus ring`).not.toBe('none');
      expect(ring.width, `${what}: focus ring width`).toBeGreaterThanOrEqual(2);
      await expect(target, `${what}: in view when focused`).toBeInViewport();
      return;
    }
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${what}`);
}

test('report, receive the receipt and track it with the keyboard alone', async ({ page, context }) => {
  test.setTimeout(90_000);
  // A point in 和平社区 第1网格, given by the browser's location service.
  await context.grantPermissions(['geolocation']);
  await context.setGeolocation({ latitude: 35.484, longitude: 106.604 });

  await page.goto('/');
  // The skip link comes first and leads into the main content.
  await page.keyboard.press('Tab');
  await expect(page.locator('a.skip')).toBeFocused();
  await tabTo(page, page.locator('main a[href="/appeal/new"]').first(), 'the report door');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/appeal\/new$/);
  await expect(page.locator('main h1')).toHaveText('是哪一类事情？');

  // Step 1: into the radio group, the first category chosen with Space.
  await tabTo(page, page.locator('input[name=category]').first(), 'the first category');
  await page.keyboard.press('Space');
  await expect(page.locator('input[name=category]').first()).toBeChecked();
  await tabTo(page, page.locator('form.step-form button[type=submit]', { hasText: '下一步' }), 'next (1)');
  await page.keyboard.press('Enter');
  await expectStep(page, 'what');

  // Step 2: typed, not filled (the island's counter follows the keys).
  await tabTo(page, page.locator('textarea#description'), 'the description');
  await page.keyboard.type(DESCRIPTION);
  await tabTo(page, page.locator('form.step-form button[type=submit]', { hasText: '下一步' }), 'next (2)');
  await page.keyboard.press('Enter');
  await expectStep(page, 'where');

  // Step 3: "use my location" by keyboard.
  const locate = page.getByRole('button', { name: '使用我的位置' });
  await expect(locate).toBeVisible({ timeout: 15_000 });
  await tabTo(page, locate, 'use my location');
  await page.keyboard.press('Enter');
  await expect(page.locator('.locate .status')).toHaveText('已获取位置', { timeout: 15_000 });
  await tabTo(page, page.locator('form.step-form button[type=submit]', { hasText: '下一步' }), 'next (3)');
  await page.keyboard.press('Enter');
  // Step 3 again, naming where the point fell (focused for a screen reader); "下一步" goes on.
  await expectStep(page, 'where');
  await expect(page.locator('#point-place')).toContainText('和平社区 · 第1网格');
  await tabTo(page, page.locator('form.step-form button[type=submit]', { hasText: '下一步' }), 'next (3, seen)');
  await page.keyboard.press('Enter');
  await expectStep(page, 'photos');

  // Step 4: no photo; on to step 5.
  await tabTo(page, page.locator('main form.upload button#photos-continue, main a.button', { hasText: '下一步' }), 'next (4)');
  await page.keyboard.press('Enter');
  await expectStep(page, 'who');

  // Step 5: anonymous, chosen with Space.
  await tabTo(page, page.locator('#identity'), 'anonymous');
  await page.keyboard.press('Space');
  await expect(page.locator('#identity')).toBeChecked();
  await tabTo(page, page.locator('form.step-form button[type=submit]', { hasText: '下一步' }), 'next (5)');
  await page.keyboard.press('Enter');
  await expectStep(page, 'check');

  // Check (the point named back) and submit.
  await expect(page.locator('main')).toContainText('第1网格');
  await tabTo(page, page.locator('form button.button-submit', { hasText: '提交' }), 'submit');
  await page.keyboard.press('Enter');
  await expect(page.locator('main h1')).toHaveText('已受理');
  const ticket = (await page.locator('#ticket').innerText()).trim();
  const key = (await page.locator('#key').innerText()).trim();
  expect(ticket).toMatch(TICKET_RE);
  expect(key).toMatch(KEY_RE);

  // Track it: typed into the lookup form, sent with Enter.
  await page.goto('/track');
  await tabTo(page, page.locator('form#track-form #ticket'), 'ticket');
  await page.keyboard.type(ticket);
  await tabTo(page, page.locator('form#track-form #key'), 'key');
  await page.keyboard.type(key);
  await page.keyboard.press('Enter');
  await expect(page.locator('main h1')).toHaveText(`查进度 ${ticket}`);
  await expect(page.locator('dl#track-result')).toBeVisible();
});
