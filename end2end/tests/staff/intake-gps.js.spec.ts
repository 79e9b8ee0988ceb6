// Issue 13: a grid worker on patrol records an appeal with the phone's location. The intake form
// carries the resident wizard's "use my location" island; the point it fills decides the cell
// (here the neighbouring cell, not the worker's own, which the cell menu shows by default), and
// the resident then follows the appeal to that cell's station. JavaScript on only: without it
// there is no button and the cell decides (covered by intake.spec.ts and the router tests).
import { test, expect } from '@playwright/test';
import { trackByForm } from '../resident/helpers';
import { STAFF, staffLogin, staffLogout } from './helpers';

// Inside grid cell HD010102 of the demo city (第2网格, 和平社区).
test.use({ geolocation: { latitude: 35.4835, longitude: 106.617 }, permissions: ['geolocation'] });

test('a patrol appeal placed by the phone location goes to the cell it lies in', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const words = `巡查发现井盖松动，车压过去响 gps-${Date.now() % 100000}`;
  await staffLogin(page, STAFF.grid);
  await page.goto('/staff/appeal/new');
  await expect(page.locator('#cell')).toHaveValue('HD010101');
  const locate = page.getByRole('button', { name: '使用我的位置' });
  await expect(locate).toBeVisible();
  await locate.click();
  await expect(page.locator('#location .status')).toHaveText('已获取位置');
  await expect(page.locator('#location input[name="lat"]')).toHaveValue('35.483500');

  await page.locator('#channel-patrol').check();
  await page.locator('#category').selectOption('neighbor_dispute');
  await page.locator('#description').fill(words);
  await page.getByRole('button', { name: '登记', exact: true }).click();
  await expect(page).toHaveURL(/\/staff\/appeal\/new#receipt$/);
  const ticket = (await page.locator('#intake-ticket').innerText()).trim();
  const key = (await page.locator('#intake-key').innerText()).trim();
  await staffLogout(page);

  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  const resident = await ctx.newPage();
  await trackByForm(resident, ticket, key);
  await expect(resident.locator('dl#track-result')).toContainText('第2网格');
  await ctx.close();
});
