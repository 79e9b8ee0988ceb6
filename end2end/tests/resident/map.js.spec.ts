// JavaScript ON (phone): on a street's map a tap sets the exact point (the inverse of the
// server's projection), moves the pin and fills lat/lng like "使用我的位置"; the server then
// names the cell the point is in.
import { test, expect } from '@playwright/test';
import { DESCRIPTION, chooseCategory, describeHydrated, expectStep, startAppeal } from './helpers';

test('a tap on the street map sets the exact point', async ({ page }) => {
  await startAppeal(page);
  await chooseCategory(page, 'neighbor_dispute');
  await describeHydrated(page, DESCRIPTION);
  const token = new URL(page.url()).pathname.split('/')[2];
  await page.goto(`/appeal/${token}/where?map=HD01#map`);
  await expectStep(page, 'where');

  const cell = page.locator('svg.cellmap a[href*="cell=HD010203"] path');
  await expect(cell).toBeVisible();
  // Tap the middle of the cell once the island is live (its tap fills lat/lng).
  await expect(async () => {
    await cell.tap();
    await expect(page.locator('#map-status')).toHaveText('已在地图上记下位置，按“下一步”保存。', { timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await expect(page).toHaveURL(/\?map=HD01#map$/); // no navigation
  await expect(page.locator('#map-pin')).not.toHaveAttribute('visibility', 'hidden');
  const lat = Number(await page.locator('input[type=hidden][name=lat]').inputValue());
  const lng = Number(await page.locator('input[type=hidden][name=lng]').inputValue());
  expect(lat).toBeGreaterThan(35.48);
  expect(lat).toBeLessThan(35.51);
  expect(lng).toBeGreaterThan(106.6);
  expect(lng).toBeLessThan(106.65);

  // Saved and routed by the server like a GPS point.
  await page.getByRole('button', { name: '更新下一级选项' }).click();
  await expectStep(page, 'where');
  await expect(page.locator('#point-place')).toHaveText(/幸福社区 · 第3网格/);
});
