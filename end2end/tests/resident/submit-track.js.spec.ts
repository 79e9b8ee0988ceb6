// JavaScript ON (phone): locate with the browser's geolocation, upload a photo, submit
// anonymously, follow the receipt's tracking link, and switch the language.
import { test, expect } from '@playwright/test';
import {
  DESCRIPTION,
  UNIT,
  checkSummary,
  chooseCategory,
  continueFromPhotos,
  continueFromLocated,
  describeHydrated,
  expectTrackResult,
  identify,
  startAppeal,
  submit,
  uploadPhoto,
  urlRe,
} from './helpers';

// A point in grid cell HD010101 (河东区 东关街道 和平社区 第1网格).
test.use({
  geolocation: { latitude: 35.485, longitude: 106.605 },
  permissions: ['geolocation'],
});

test('locate, photo, anonymous submit, then the receipt link shows progress', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('p.emergency')).toHaveText(/110.*119.*120/);
  await expect(page.locator('a.door-submit')).toHaveAttribute('href', '/appeal/new');
  await startAppeal(page);
  await chooseCategory(page, 'neighbor_dispute');
  await describeHydrated(page, DESCRIPTION);

  // "使用我的位置" appears once the page is hydrated, and fills the hidden lat/lng.
  const locate = page.getByRole('button', { name: '使用我的位置' });
  await expect(locate).toBeVisible();
  await locate.click();
  await expect(page.locator('.locate p.status[role=status]')).toHaveText('已获取位置');
  await expect(page.locator('input[type=hidden][name=lat]')).toHaveValue('35.485000');
  await expect(page.locator('input[type=hidden][name=lng]')).toHaveValue('106.605000');
  await continueFromLocated(page);

  await uploadPhoto(page, 1);
  // The thumbnail is served back (re-encoded as JPEG).
  const src = await page.locator('ul.photos img').getAttribute('src');
  const photo = await page.request.get(src!);
  expect(photo.status()).toBe(200);
  expect(photo.headers()['content-type']).toBe('image/jpeg');
  await continueFromPhotos(page);
  await identify(page, 'anonymous');

  expect(await checkSummary(page)).toEqual({
    类别: '邻里纠纷',
    事情经过: DESCRIPTION,
    位置: '手机定位：和平社区 · 第1网格',
    照片: '1 张',
    反映人: '匿名反映',
    公开描述: '不公开',
  });

  const receipt = await submit(page);
  await expect(page.locator('#unit')).toHaveText(new RegExp(`^${UNIT.gridHD010101}(\\s|$)`));
  // With JavaScript the copy button is shown.
  await expect(page.getByRole('button', { name: '复制编号和查询码' })).toBeVisible();

  // The link's fragment is posted by the island and leaves the address bar: a bare /track.
  await page.locator('a#track-link').click();
  await expect(page).toHaveURL(urlRe('/track'));
  await expectTrackResult(page, { ticket: receipt.ticket, unit: UNIT.gridHD010101 });

  // Switch to English: same page, same result, English words; and back.
  const lang = page.locator('header a.lang');
  await expect(lang).toHaveText('English');
  await lang.click();
  await expect(page).toHaveURL(urlRe('/track'));
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('main h1')).toHaveText(`Track my appeal ${receipt.ticket}`);
  await expect(page.locator('#status')).toHaveText('Waiting to be signed for');
  await expect(page.locator('ol.timeline > li p').first()).toHaveText('You submitted the appeal');
  await expect(lang).toHaveText('中文');
  expect((await page.context().cookies()).find((c) => c.name === 'lang')?.value).toBe('en');

  await lang.click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.locator('main h1')).toHaveText(`查进度 ${receipt.ticket}`);
});

test('the language switch keeps the page and changes the wizard heading', async ({ page }) => {
  await startAppeal(page);
  await chooseCategory(page, 'sanitation');
  const whatUrl = page.url();
  await page.locator('header a.lang').click();
  await expect(page).toHaveURL(whatUrl);
  await expect(page.locator('main h1')).toHaveText('What happened?');
  await expect(page.locator('p.step-of')).toHaveText('Step 2 of 6');
  await expect(page.locator('form.step-form button[type=submit]')).toHaveText('Continue');
  await expect(page.locator('p.emergency')).toHaveText(
    'In an emergency call 110 (police), 119 (fire) or 120 (ambulance) directly.',
  );
});
