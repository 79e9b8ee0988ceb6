// JavaScript ON (phone): "use my location" in the legal service directory. The device's exact
// position goes in a posted form only; the directory's address (what the address bar, the
// history and a proxy's log see) holds it rounded to three decimals, about 100 m.
import { test, expect } from '@playwright/test';

// A point in 河东区 with more precision than the directory keeps.
test.use({
  geolocation: { latitude: 35.485123, longitude: 106.604987 },
  permissions: ['geolocation'],
});

test('nearest service points, and the exact position in no address', async ({ page }) => {
  const addresses: string[] = [];
  page.on('request', (r) => addresses.push(r.url()));
  await page.goto('/legal/services');
  const locate = page.getByRole('button', { name: '使用我的位置' });
  await expect(locate).toBeVisible();
  await locate.click();
  await expect(page.locator('.locate .status')).toHaveText('已获取位置');
  await page.locator('select#kind').selectOption('legal_aid_center');
  await page.getByRole('button', { name: '查找' }).click();
  await expect(page).toHaveURL(/\/legal\/services\?kind=legal_aid_center&lat=35\.485&lng=106\.605$/);
  const first = page.locator('ul.services > li').first();
  await expect(first).toContainText('河东区法律援助中心');
  await expect(first.locator('.distance')).toHaveText(/^\d+ 米$|公里$/);
  expect(addresses.filter((a) => a.includes('35.485123') || a.includes('106.604987'))).toEqual([]);
});
