// JavaScript OFF (issue 14): a photo chosen at step 4 and then "下一步" pressed (instead of
// "上传这张照片") is uploaded by that same form, not silently dropped; a file that is not a photo
// keeps the resident on the step with the reason, and nothing stored before is lost.
import { test, expect } from '@playwright/test';
import {
  ERR,
  PNG_1X1,
  checkSummary,
  chooseCategory,
  chooseRegion,
  continueFromWhere,
  describe,
  expectFieldError,
  expectStep,
  identify,
  photosContinue,
  startAppeal,
} from './helpers';

test('choose a photo, press 下一步: the photo is on the check page', async ({ page }) => {
  await startAppeal(page);
  await chooseCategory(page, 'sanitation');
  await describe(page);
  await chooseRegion(page, { district: 'HD', street: 'HD01', community: 'HD0101' });
  await continueFromWhere(page);

  await page.locator('input#photo').setInputFiles({ name: 'street.png', mimeType: 'image/png', buffer: PNG_1X1 });
  await photosContinue(page).click();
  await expectStep(page, 'who');
  await identify(page, 'anonymous');
  expect(await checkSummary(page)).toMatchObject({ 照片: '1 张' });

  // Back on step 4 the photo is listed (stored, re-encoded, served back).
  await page.goto(page.url().replace(/\/check$/, '/photos'));
  await expectStep(page, 'photos');
  await expect(page.locator('ul.photos > li img')).toHaveCount(1);

  // Not a photo, then 下一步: stays with the reason; the first photo is still there.
  await page.locator('input#photo').setInputFiles({
    name: 'notes.png',
    mimeType: 'image/png',
    buffer: Buffer.from('plain text pretending'),
  });
  await photosContinue(page).click();
  await expectStep(page, 'photos');
  await expectFieldError(page, 'photo', ERR.photoType);
  await expect(page.locator('ul.photos > li img')).toHaveCount(1);

  // Nothing chosen: 下一步 simply goes on.
  await photosContinue(page).click();
  await expectStep(page, 'who');
});
