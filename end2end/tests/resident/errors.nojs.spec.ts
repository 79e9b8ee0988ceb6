// JavaScript OFF: server-side validation with the error-summary pattern — a summary at the top
// (role=alert) linking to each field, the message at the field, aria-invalid, values kept.
import { test, expect, type Page } from '@playwright/test';
import {
  DESCRIPTION,
  ERR,
  PNG_1X1,
  chooseCategory,
  chooseRegion,
  continueButton,
  continueFromPhotos,
  continueFromWhere,
  describe,
  expectErrorSummary,
  expectFieldError,
  expectStep,
  urlRe,
  startAppeal,
  TOKEN,
  tokenOf,
} from './helpers';

/** Clicks the summary's link to `#field` and checks it leads to the field (focus and scroll). */
async function followSummaryLink(page: Page, field: string): Promise<void> {
  const link = page.locator(`div.error-summary a[href="#${field}"]`);
  const here = page.url().split('#')[0];
  await page.locator('footer').scrollIntoViewIfNeeded();
  await link.click();
  await expect(page).toHaveURL(`${here}#${field}`);
  await expect(page.locator(`#${field}`)).toBeFocused();
  await expect(page.locator(`#${field}`)).toBeInViewport();
}

test('step 1 without a choice: summary links to #category', async ({ page }) => {
  await startAppeal(page);
  await expect(page.locator('div.error-summary')).toHaveCount(0);
  await continueButton(page).click();

  // The first post issues the draft's token (and its cookie), even with errors.
  await expect(page).toHaveURL(urlRe(`/appeal/${TOKEN}/category`));
  const token = tokenOf(page);
  await expectStep(page, 'category');
  await expectErrorSummary(page, [['category', ERR.categoryMissing]]);
  await expectFieldError(page, 'category', ERR.categoryMissing);
  await expect(page.locator('fieldset.choices')).toHaveAttribute('aria-describedby', 'category-hint category-error');
  await expect(page.locator('input[name=category]:checked')).toHaveCount(0);
  await followSummaryLink(page, 'category');

  // Choosing one clears the error and moves on.
  await chooseCategory(page, 'sanitation');
  await expect(page.locator('div.error-summary')).toHaveCount(0);
});

test('a short description: summary, message at the field, aria-invalid, value kept', async ({ page }) => {
  await startAppeal(page);
  await chooseCategory(page, 'sanitation');
  const token = tokenOf(page);

  await page.locator('#description').fill('垃圾没人收');
  await continueButton(page).click();
  await expect(page).toHaveURL(urlRe(`/appeal/${token}/what`));
  await expectErrorSummary(page, [['description', ERR.descriptionShort]]);
  await expectFieldError(page, 'description', ERR.descriptionShort);
  const textarea = page.locator('textarea#description');
  await expect(textarea).toHaveAttribute('aria-invalid', 'true');
  await expect(textarea).toHaveAttribute('aria-describedby', 'description-hint description-error');
  await expect(textarea).toHaveValue('垃圾没人收');
  await followSummaryLink(page, 'description');

  // Empty is a different message.
  await textarea.fill('');
  await continueButton(page).click();
  await expectErrorSummary(page, [['description', ERR.descriptionEmpty]]);
  await expectFieldError(page, 'description', ERR.descriptionEmpty);
  await expect(textarea).toHaveValue('');

  // Fixed: on to step 3, and going back shows the text without errors.
  await describe(page, DESCRIPTION);
  await page.locator('a.back').click();
  await expectStep(page, 'what');
  await expect(page.locator('div.error-summary')).toHaveCount(0);
  await expect(textarea).toHaveValue(DESCRIPTION);
  await expect(textarea).toHaveAttribute('aria-invalid', 'false');
});

test('step 3 without location or district asks for one', async ({ page }) => {
  await startAppeal(page);
  await chooseCategory(page, 'sanitation');
  const token = tokenOf(page);
  await describe(page);

  await page.locator('#address_note').fill('3号楼后面');
  await continueButton(page).click();
  await expect(page).toHaveURL(urlRe(`/appeal/${token}/where`));
  await expectErrorSummary(page, [['region', ERR.regionMissing]]);
  await expectFieldError(page, 'region', ERR.regionMissing);
  await expect(page.locator('fieldset.cascade')).toHaveAttribute('aria-describedby', 'region-hint region-error');
  await expect(page.locator('#address_note')).toHaveValue('3号楼后面');
  await followSummaryLink(page, 'region');

  await chooseRegion(page, { district: 'HD' });
  await continueFromWhere(page);
});

test('a file that is not a photo is refused on step 4', async ({ page }) => {
  await startAppeal(page);
  await chooseCategory(page, 'sanitation');
  const token = tokenOf(page);
  await describe(page);
  await chooseRegion(page, { district: 'HD' });
  await continueFromWhere(page);

  await page.locator('input#photo').setInputFiles({
    name: 'notes.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('这不是照片'),
  });
  await page.getByRole('button', { name: '上传这张照片' }).click();
  await expect(page).toHaveURL(urlRe(`/appeal/${token}/photos`));
  await expectErrorSummary(page, [['photo', ERR.photoType]]);
  await expectFieldError(page, 'photo', ERR.photoType);
  await expect(page.locator('input#photo')).toHaveAttribute('aria-describedby', 'photo-hint photo-error');
  await expect(page.locator('ul.photos')).toHaveCount(0);

  // A real image afterwards is accepted and the error goes away.
  await page.locator('input#photo').setInputFiles({ name: 'ok.png', mimeType: 'image/png', buffer: PNG_1X1 });
  await page.getByRole('button', { name: '上传这张照片' }).click();
  await expect(page.locator('div.error-summary')).toHaveCount(0);
  await expect(page.locator('ul.photos > li')).toHaveCount(1);
  await continueFromPhotos(page);
});

test('a bad phone number on step 5: summary, field message, values kept', async ({ page }) => {
  await startAppeal(page);
  await chooseCategory(page, 'sanitation');
  const token = tokenOf(page);
  await describe(page);
  await chooseRegion(page, { district: 'HD' });
  await continueFromWhere(page);
  await continueFromPhotos(page);

  // Anonymous: the name and phone fields are not shown (issue 14); named: they are.
  await page.locator('#identity').check();
  await expect(page.locator('#name')).toBeHidden();
  await expect(page.locator('#phone')).toBeHidden();
  await page.locator('#identity-named').check();
  await page.locator('#name').fill('李阿姨');
  await page.locator('#phone').fill('12345');
  await continueButton(page).click();

  await expect(page).toHaveURL(urlRe(`/appeal/${token}/who`));
  await expectErrorSummary(page, [['phone', ERR.phoneInvalid]]);
  await expectFieldError(page, 'phone', ERR.phoneInvalid);
  await expect(page.locator('p.field-error')).toHaveCount(1);
  await expect(page.locator('#phone')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#name')).toHaveAttribute('aria-invalid', 'false');
  await expect(page.locator('#phone')).toHaveValue('12345');
  await expect(page.locator('#name')).toHaveValue('李阿姨');
  await expect(page.locator('#identity-named')).toBeChecked();
  await followSummaryLink(page, 'phone');

  await page.locator('#phone').fill('13800138000');
  await continueButton(page).click();
  await expectStep(page, 'check');
  await expect(page.locator('dl.summary')).toContainText('李阿姨 · 138****8000');
});
