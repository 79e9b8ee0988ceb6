// Script injection in a real browser (JavaScript on, so anything injected would run): text that
// closes a <textarea> and opens a <script> or an HTML comment is typed where residents and staff
// type, then shown back to the resident and to the staff member who opens the appeal. Nothing
// may run, the text must come back exactly as typed, and the page's CSP must refuse inline
// script that has no nonce.
import { test, expect, type Page } from '@playwright/test';
import {
  chooseCategory,
  chooseRegion,
  continueButton,
  continueFromPhotos,
  continueFromWhere,
  expectStep,
  fillDescriptionHydrated,
  identify,
  startAppeal,
  submit,
} from './helpers';
import { STAFF, openFromInbox, staffLogin } from '../staff/helpers';

const PAYLOAD =
  '</textarea><script>window.pwned=1;alert(1)</script><!-- 楼道里堆满杂物，消防通道被堵，请尽快处理 --><img src=x onerror="window.pwned=2">';

/** Fails the test on any dialog (alert) and records that script ran. */
function watchForScript(page: Page): { dialogs: string[] } {
  const seen = { dialogs: [] as string[] };
  page.on('dialog', async (d) => {
    seen.dialogs.push(d.message());
    await d.dismiss();
  });
  return seen;
}

async function expectNothingRan(page: Page, seen: { dialogs: string[] }): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  expect(seen.dialogs).toEqual([]);
}

test('typed script stays text for the resident and for the staff member who opens it', async ({ page, browser }) => {
  const seen = watchForScript(page);
  await startAppeal(page);
  await chooseCategory(page, 'sanitation');
  await fillDescriptionHydrated(page, PAYLOAD);
  await continueButton(page).click();
  await expectStep(page, 'where');

  // Back to "what happened": the text is in the textarea exactly as typed, and nothing ran.
  await page.goBack();
  await expectStep(page, 'what');
  await page.reload();
  await expect(page.locator('textarea#description')).toHaveValue(PAYLOAD);
  await expect(page.locator('main script')).toHaveCount(0);
  await expectNothingRan(page, seen);
  await continueButton(page).click();
  await expectStep(page, 'where');

  await chooseRegion(page, { district: 'HD', street: 'HD01', community: 'HD0101' });
  await continueFromWhere(page);
  await continueFromPhotos(page);
  await identify(page, 'anonymous');
  await expect(page.locator('dl.summary')).toContainText('</textarea><script>window.pwned=1;');
  await expectNothingRan(page, seen);
  const receipt = await submit(page);
  await expectNothingRan(page, seen);

  // The community's handler opens the appeal (sanitation in HD0101 goes to its committee).
  const staffContext = await browser.newContext();
  const staff = await staffContext.newPage();
  const staffSeen = watchForScript(staff);
  await staffLogin(staff, STAFF.community);
  await openFromInbox(staff, receipt.ticket);
  await expect(staff.locator('main')).toContainText('</textarea><script>window.pwned=1;alert(1)</script>');
  await expectNothingRan(staff, staffSeen);

  // A reply too long to save comes back in its textarea, as typed, inert.
  const tooLong = PAYLOAD + '长'.repeat(2100);
  const section = staff.locator('section#note');
  await section.locator('textarea').fill(tooLong);
  // The field's maxlength cuts what a person can type; what was in it comes back.
  const typed = await section.locator('textarea').inputValue();
  expect(typed.startsWith(PAYLOAD)).toBeTruthy();
  await section.getByRole('button', { name: '内部备注', exact: true }).click();
  await expect(staff.locator('section#note textarea')).toHaveValue(typed);
  await expectNothingRan(staff, staffSeen);
  await staffContext.close();
});

test('the policy refuses inline script without the nonce, while the islands still run', async ({ page }) => {
  await startAppeal(page);
  await chooseCategory(page, 'sanitation');
  // The description island is live (its counter follows typing), so the nonce'd loader ran.
  await fillDescriptionHydrated(page, '楼道里堆满杂物，消防通道被堵');
  const csp = (await page.request.get(page.url())).headers()['content-security-policy'];
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9_-]+' 'wasm-unsafe-eval'/);
  expect(csp).not.toContain('unsafe-inline\'; object');
  // Script injected into the page without the nonce is blocked by Chromium.
  const ran = await page.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.injected = 1;';
    document.body.appendChild(s);
    await new Promise((r) => setTimeout(r, 100));
    return (window as unknown as { injected?: number }).injected;
  });
  expect(ran).toBeUndefined();
});
