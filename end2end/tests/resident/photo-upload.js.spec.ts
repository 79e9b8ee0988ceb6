// JavaScript ON (issue 14): a photo is sent as soon as it is chosen, scaled down on the phone
// first, with a progress bar; the step then shows it (its thumbnail, linked to the photo). A file
// the server refuses shows the server's reason at the field, and the file input stays usable.
import { test, expect, type Page } from '@playwright/test';
import {
  ERR,
  chooseCategory,
  chooseRegion,
  continueFromWhere,
  describe,
  expectFieldError,
  expectStep,
  startAppeal,
} from './helpers';

/** The server's `MAX_SIDE` and `THUMB_SIDE` (domain::fields::PHOTO_MAX_SIDE, PHOTO_THUMB_SIDE). */
const MAX_SIDE = 1600;
const THUMB_SIDE = 320;

/** Width and height from a JPEG's frame header, walking its marker segments. */
function jpegSize(b: Buffer): { width: number; height: number } {
  let i = b.indexOf(Buffer.from([0xff, 0xd8]));
  expect(i, 'a JPEG in the bytes').toBeGreaterThanOrEqual(0);
  i += 2;
  while (i + 4 < b.length) {
    expect(b[i], `marker at ${i}`).toBe(0xff);
    const marker = b[i + 1];
    const len = b.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    }
    i += 2 + len;
  }
  throw new Error('no frame header');
}

/** A 4000 × 3000 "phone photo" (JPEG) drawn by the browser: gradients and shapes. */
async function phonePhoto(page: Page): Promise<Buffer> {
  const dataUrl = await page.evaluate(async () => {
    const c = document.createElement('canvas');
    c.width = 4000;
    c.height = 3000;
    const g = c.getContext('2d')!;
    const sky = g.createLinearGradient(0, 0, 4000, 3000);
    sky.addColorStop(0, '#3a7bd5');
    sky.addColorStop(1, '#f4d03f');
    g.fillStyle = sky;
    g.fillRect(0, 0, 4000, 3000);
    // Deterministic detail, so the file is photo-like in size (not a flat gradient).
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let k = 0; k < 4000; k++) {
      g.fillStyle = `rgb(${Math.floor(rnd() * 255)},${Math.floor(rnd() * 255)},${Math.floor(rnd() * 255)})`;
      g.fillRect(rnd() * 4000, rnd() * 3000, 10 + rnd() * 80, 10 + rnd() * 80);
    }
    const blob: Blob = await new Promise((resolve) => c.toBlob((b) => resolve(b!), 'image/jpeg', 0.95));
    return await new Promise<string>((resolve) => {
      const r = new FileReader();
      r.onload = () => resolve(r.result as string);
      r.readAsDataURL(blob);
    });
  });
  return Buffer.from(dataUrl.split(',')[1], 'base64');
}

test('a large photo is scaled down on the phone, sent on choice with progress, and listed', async ({ page }) => {
  // Keep what the page hands to XMLHttpRequest (the photo as it leaves the phone).
  await page.addInitScript(() => {
    const send = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.send = function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
      if (body instanceof FormData) (window as unknown as { sentPhoto: unknown }).sentPhoto = body.get('photo');
      return send.call(this, body);
    };
  });
  await startAppeal(page);
  await chooseCategory(page, 'sanitation');
  await describe(page);
  await chooseRegion(page, { district: 'HD', street: 'HD01', community: 'HD0101' });
  await continueFromWhere(page);

  const original = await phonePhoto(page);
  expect(jpegSize(original)).toEqual({ width: 4000, height: 3000 });

  // Hold the upload a moment, so the progress can be seen and what was sent looked at.
  await page.route('**/form/appeal/*/photos/add', async (route) => {
    await new Promise((r) => setTimeout(r, 3000));
    await route.continue();
  });

  await page.locator('input#photo').setInputFiles({ name: 'IMG_2041.jpg', mimeType: 'image/jpeg', buffer: original });
  // A real progress bar with its label, and a status line that is read out.
  await expect(page.getByRole('progressbar', { name: '上传进度' })).toBeVisible();
  // First scaled down ("正在缩小照片…"), then sent.
  await expect(page.locator('#upload-status')).toHaveText(/^正在上传 \d+%$/);
  await expect(page.getByRole('button', { name: '上传这张照片' })).toBeDisabled();
  // What left the phone: a JPEG of at most MAX_SIDE, much smaller than the chosen file.
  await page.waitForFunction(() => Boolean((window as unknown as { sentPhoto?: unknown }).sentPhoto));
  const sent = await page.evaluate(async () => {
    const f = (window as unknown as { sentPhoto: File }).sentPhoto;
    const bitmap = await createImageBitmap(f);
    return { name: f.name, type: f.type, size: f.size, width: bitmap.width, height: bitmap.height };
  });
  expect(sent).toMatchObject({ name: 'IMG_2041.jpg', type: 'image/jpeg', width: MAX_SIDE, height: 1200 });
  expect(sent.size).toBeLessThan(original.length / 2);

  // Stored and shown: the step opens again with the photo's thumbnail, and no progress left.
  await expectStep(page, 'photos');
  const items = page.locator('ul.photos > li');
  await expect(items).toHaveCount(1);
  await expect(page.locator('#upload-progress')).toBeHidden();
  await expect(page.locator('div.error-summary')).toHaveCount(0);

  // The stored photo is within MAX_SIDE; the list shows its square thumbnail.
  const link = items.first().locator('a');
  const full = await page.request.get((await link.getAttribute('href'))!);
  expect(full.status()).toBe(200);
  expect(full.headers()['content-type']).toBe('image/jpeg');
  expect(jpegSize(await full.body())).toEqual({ width: MAX_SIDE, height: 1200 });
  const thumbSrc = (await items.first().locator('img').getAttribute('src'))!;
  expect(thumbSrc).toMatch(/\?size=thumb$/);
  const thumb = await page.request.get(thumbSrc);
  expect(jpegSize(await thumb.body())).toEqual({ width: THUMB_SIDE, height: THUMB_SIDE });
  await expect(items.first().locator('img')).toHaveJSProperty('complete', true);
  expect(await items.first().locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(THUMB_SIDE);

  // Refused by the server: its reason at the field, the photo kept, the file input usable.
  await page.unroute('**/form/appeal/*/photos/add');
  await page.locator('input#photo').setInputFiles({
    name: 'notes.png',
    mimeType: 'image/png',
    buffer: Buffer.from('plain text pretending'),
  });
  await expectFieldError(page, 'photo', ERR.photoType);
  await expect(items).toHaveCount(1);
  await expect(page.locator('input#photo')).toBeEnabled();
  await expect(page.getByRole('button', { name: '上传这张照片' })).toBeEnabled();
});
