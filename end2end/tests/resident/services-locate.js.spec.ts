// JavaScript ON: "use my location" on the service directory. Its form is a GET (a search anyone
// may bookmark), so the position travels in the URL: it is written with two decimals (about
// 1 km), enough to order the service points by distance and too coarse to point at a home in a
// proxy's log or the browser's history. The wizard's own button keeps six (it routes the appeal).
import { test, expect } from '@playwright/test';

// A point in grid cell HD010101, with more precision than the page may keep.
test.use({
  geolocation: { latitude: 35.485123, longitude: 106.605456 },
  permissions: ['geolocation'],
});

test('the directory sorts by distance from a position rounded to about a kilometre', async ({ page }) => {
  await page.goto('/legal/services');
  const locate = page.getByRole('button', { name: '使用我的位置' });
  await expect(locate).toBeVisible();
  await locate.click();
  await expect(page.locator('.locate p.status[role=status]')).toHaveText('已获取位置');
  await expect(page.locator('input[type=hidden][name=lat]')).toHaveValue('35.49');
  await expect(page.locator('input[type=hidden][name=lng]')).toHaveValue('106.61');
  await Promise.all([page.waitForURL(/\/legal\/services\?/), page.getByRole('button', { name: '查找' }).click()]);
  const url = new URL(page.url());
  expect(url.searchParams.get('lat')).toBe('35.49');
  expect(url.searchParams.get('lng')).toBe('106.61');
  expect(page.url()).not.toContain('35.485');
  await expect(page.locator('p.result-count')).toContainText('按离您的距离排列');
});
