// JavaScript ON (phone), issue 14's walk: after "使用我的位置" the resident sees where the point
// fell (community and grid cell, and the map's pin) before the check page: "下一步" shows step 3
// again naming it, and the next "下一步" goes on. A point outside the city stops step 3 with the
// reason at the location field; choosing the district below instead goes on, nothing typed lost.
import { test, expect, type Page } from '@playwright/test';
import {
  DESCRIPTION,
  checkSummary,
  chooseCategory,
  continueButton,
  continueFromPhotos,
  continueFromWhere,
  describeHydrated,
  expectErrorSummary,
  expectFieldError,
  expectStep,
  identify,
  startAppeal,
} from './helpers';

test.use({ permissions: ['geolocation'] });

/** ErrPointOutsideCity (domain/src/i18n.rs, zh-CN). */
const OUTSIDE = '定位的位置不在本市范围内，请在下面选择所在的区县，或在地图上点选';

/** "使用我的位置" once the page is hydrated; the island fills the hidden lat/lng. */
async function locate(page: Page): Promise<void> {
  const button = page.getByRole('button', { name: '使用我的位置' });
  await expect(button).toBeVisible({ timeout: 15_000 });
  await button.click();
  await expect(page.locator('.locate p.status[role=status]')).toHaveText('已获取位置');
}

test('a located point is named back on step 3 before the wizard goes on', async ({ page, context }) => {
  await context.setGeolocation({ latitude: 35.485, longitude: 106.605 }); // grid cell HD010101
  await startAppeal(page);
  await chooseCategory(page, 'neighbor_dispute');
  await describeHydrated(page, DESCRIPTION);
  await expect(page.locator('#point-place')).toHaveCount(0);
  await locate(page);
  await expect(page.locator('input[type=hidden][name=lat]')).toHaveValue('35.485000');
  await expect(page.locator('input[type=hidden][name=lng]')).toHaveValue('106.605000');

  // "下一步": step 3 again, no error, naming the community and the grid cell (focused, so a
  // screen reader says it), and the point pinned on the map.
  await continueButton(page).click();
  await expectStep(page, 'where');
  await expect(page.locator('div.error-summary')).toHaveCount(0);
  const place = page.locator('#point-place');
  await expect(place).toContainText('这个位置在：和平社区 · 第1网格。');
  await expect(place).toContainText('位置对的话，请按“下一步”');
  await expect(place).toBeFocused();
  await expect(page.locator('input[type=hidden][name=point_shown]')).toHaveValue('35.485000,106.605000');
  await expect(page.locator('#map-pin')).toHaveCount(1);
  await expect(page.locator('#map-pin')).not.toHaveAttribute('visibility', 'hidden');

  // Seen: "下一步" goes on, and the check page names the same place.
  await continueFromWhere(page);
  await continueFromPhotos(page);
  await identify(page, 'anonymous');
  expect((await checkSummary(page))['位置']).toBe('手机定位：和平社区 · 第1网格');
});

test('a point outside the city keeps step 3 with the reason; the district instead goes on', async ({
  page,
  context,
}) => {
  await context.setGeolocation({ latitude: 31.23, longitude: 121.47 }); // far outside the demo city
  await startAppeal(page);
  await chooseCategory(page, 'sanitation');
  await describeHydrated(page, DESCRIPTION);
  await locate(page);
  // Typed after hydration (the located button shows the islands are live).
  await page.locator('#address_note').fill('小区北门');

  await continueButton(page).click();
  await expectStep(page, 'where');
  await expectErrorSummary(page, [['location', OUTSIDE]]);
  await expectFieldError(page, 'location', OUTSIDE);
  const warning = page.locator('#point-place');
  await expect(warning).toContainText('这个位置不在本市范围内');
  await expect(warning.getByRole('button', { name: '不用定位' })).toBeVisible();
  await expect(page.getByText('已记录手机定位')).toHaveCount(0);
  // Nothing typed is lost; the point is kept too (the resident decides what replaces it).
  await expect(page.locator('#address_note')).toHaveValue('小区北门');
  await expect(page.locator('input[type=hidden][name=lat]')).toHaveValue('31.230000');
  // The summary's link lands on the location field.
  await page.locator('div.error-summary a[href="#location"]').click();
  await expect(page.locator('#location')).toBeFocused();

  // "下一步" again without choosing: still step 3, still the reason.
  await continueButton(page).click();
  await expectStep(page, 'where');
  await expectFieldError(page, 'location', OUTSIDE);

  // The district chosen below, as the warning says: on to the photos; the appeal is placed by
  // the district, not by the phone's location.
  await page.locator('select#region').selectOption('HD');
  await continueFromWhere(page);
  await continueFromPhotos(page);
  await identify(page, 'anonymous');
  const summary = await checkSummary(page);
  expect(summary['位置']).toBe('河东区 / 小区北门');
  expect(summary['事情经过']).toBe(DESCRIPTION);
});

test('a tap on the street map is named back before the wizard goes on', async ({ page }) => {
  await startAppeal(page);
  await chooseCategory(page, 'neighbor_dispute');
  await describeHydrated(page, DESCRIPTION);
  const token = new URL(page.url()).pathname.split('/')[2];
  await page.goto(`/appeal/${token}/where?map=HD01#map`);
  await expectStep(page, 'where');

  const cell = page.locator('svg.cellmap a[href*="cell=HD010203"] path');
  await expect(cell).toBeVisible();
  await expect(async () => {
    await cell.tap();
    await expect(page.locator('#map-status')).toHaveText('已在地图上记下位置，按“下一步”保存。', { timeout: 1000 });
  }).toPass({ timeout: 15_000 });

  // "下一步" saves it and names it on step 3; the next one goes on.
  await continueButton(page).click();
  await expectStep(page, 'where');
  await expect(page.locator('#point-place')).toContainText('幸福社区 · 第3网格');
  await expect(page.locator('div.error-summary')).toHaveCount(0);
  await continueFromWhere(page);
});
