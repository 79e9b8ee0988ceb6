// JavaScript ON (issue 14): a photo is sent as soon as it is chosen, scaled down on the phone
// first, with a progress bar; the step then shows it (its thumbnail, linked to the photo). A file
// the server refuses shows the server's reason at the field, and the file input stays usable.
// Where the browser lacks what the script needs, the plain form still works (tests at the end).
import { test, expect, type Page } from '@playwright/test';
import {
  ERR,
  PNG_1X1,
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

/** Holds each photo upload 3 s, so its progress can be seen and what was sent looked at. */
async function holdUploads(page: Page): Promise<void> {
  await page.route('**/form/appeal/*/photos/add', async (route) => {
    await new Promise((r) => setTimeout(r, 3000));
    await route.continue();
  });
}

/** An upload under way: a real progress bar with its label, a status line read out, the button off. */
async function expectUploading(page: Page): Promise<void> {
  await expect(page.getByRole('progressbar', { name: '上传进度' })).toBeVisible();
  await expect(page.locator('#upload-status')).toHaveText(/^正在上传 \d+%$/);
  await expect(page.getByRole('button', { name: '上传这张照片' })).toBeDisabled();
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

  await holdUploads(page);

  await page.locator('input#photo').setInputFiles({ name: 'IMG_2041.jpg', mimeType: 'image/jpeg', buffer: original });
  // First scaled down ("正在缩小照片…"), then sent.
  await expectUploading(page);
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

/** Steps 1–3 of a fresh draft, then the photo step. */
async function toPhotoStep(page: Page): Promise<void> {
  await startAppeal(page);
  await chooseCategory(page, 'sanitation');
  await describe(page);
  await chooseRegion(page, { district: 'HD', street: 'HD01', community: 'HD0101' });
  await continueFromWhere(page);
}

// A browser that lacks what the script needs (issue 14): no upload progress events, or no
// FormData. The script then does nothing; the form stays the plain form, whose own button sends
// the photo — and no progress bar ever shows.
for (const missing of [
  {
    what: 'upload progress events',
    // `"upload" in new XMLHttpRequest()` is what the script asks: the accessor lives on the prototype.
    remove: () => {
      delete (XMLHttpRequest.prototype as unknown as { upload?: unknown }).upload;
    },
    gone: () => !('upload' in new XMLHttpRequest()),
  },
  {
    what: 'FormData',
    remove: () => {
      delete (window as unknown as { FormData?: unknown }).FormData;
    },
    gone: () => !('FormData' in window),
  },
]) {
  test(`without ${missing.what}: the form's own button adds the photo, no progress`, async ({ page }) => {
    await page.addInitScript(missing.remove);
    // Whether the progress box was ever shown, watched from before the page's scripts run.
    await page.addInitScript(() => {
      const w = window as unknown as { progressShown: boolean };
      w.progressShown = false;
      new MutationObserver(() => {
        const box = document.getElementById('upload-progress');
        if (box && !box.hidden) w.progressShown = true;
      }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['hidden'] });
    });
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && /\/photos\/add/.test(r.url())) posts.push(r.resourceType());
    });
    await toPhotoStep(page);
    expect(await page.evaluate(missing.gone), `${missing.what} removed`).toBe(true);
    // The page's script did load (so doing nothing is its decision, not a missing file).
    await expect(page.locator('script[src^="/photo-upload.js"]')).toHaveCount(1);

    await page.locator('input#photo').setInputFiles({ name: 'street.png', mimeType: 'image/png', buffer: PNG_1X1 });
    // Choosing sends nothing by itself here: still the same step, the file waiting in the input.
    await page.waitForTimeout(1500);
    expect(posts, 'nothing sent on choice').toEqual([]);
    await expect(page.locator('ul.photos > li')).toHaveCount(0);
    await expect(page.locator('#upload-progress')).toBeHidden();
    await expect(page.getByRole('button', { name: '上传这张照片' })).toBeEnabled();

    await page.getByRole('button', { name: '上传这张照片' }).click();
    await expectStep(page, 'photos');
    await expect(page.locator('ul.photos > li')).toHaveCount(1);
    await expect(page.locator('div.error-summary')).toHaveCount(0);
    // One plain form post (a page load), never a script's request.
    expect(posts).toEqual(['document']);
    await expect(page.locator('#upload-progress')).toBeHidden();
    expect(await page.evaluate(() => (window as unknown as { progressShown: boolean }).progressShown)).toBe(false);
  });
}

// A browser that can send with progress but cannot scale down on the device (no
// createImageBitmap, or no canvas toBlob): the photo goes as chosen, with progress, and the
// server keeps it within its MAX_SIDE anyway.
for (const missing of [
  {
    what: 'createImageBitmap',
    remove: () => {
      delete (window as unknown as { createImageBitmap?: unknown }).createImageBitmap;
    },
  },
  {
    what: 'canvas toBlob',
    remove: () => {
      delete (HTMLCanvasElement.prototype as unknown as { toBlob?: unknown }).toBlob;
    },
  },
]) {
  test(`without ${missing.what}: sent unscaled with progress, stored within the max side`, async ({ page, context }) => {
    // The 4000 × 3000 photo is drawn in another tab, which has its canvas.
    const studio = await context.newPage();
    await studio.goto('/legal');
    const original = await phonePhoto(studio);
    await studio.close();
    expect(jpegSize(original)).toEqual({ width: 4000, height: 3000 });

    await page.addInitScript(missing.remove);
    await page.addInitScript(() => {
      const send = XMLHttpRequest.prototype.send;
      XMLHttpRequest.prototype.send = function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
        if (body instanceof FormData) (window as unknown as { sentPhoto: unknown }).sentPhoto = body.get('photo');
        return send.call(this, body);
      };
    });
    await toPhotoStep(page);
    await holdUploads(page);

    await page.locator('input#photo').setInputFiles({ name: 'IMG_2041.jpg', mimeType: 'image/jpeg', buffer: original });
    await expectUploading(page);
    // What left the phone: the chosen file itself, byte for byte the same size.
    await page.waitForFunction(() => Boolean((window as unknown as { sentPhoto?: unknown }).sentPhoto));
    const sent = await page.evaluate(() => {
      const f = (window as unknown as { sentPhoto: File }).sentPhoto;
      return { name: f.name, type: f.type, size: f.size };
    });
    expect(sent).toEqual({ name: 'IMG_2041.jpg', type: 'image/jpeg', size: original.length });

    await expectStep(page, 'photos');
    const items = page.locator('ul.photos > li');
    await expect(items).toHaveCount(1);
    await expect(page.locator('#upload-progress')).toBeHidden();
    await expect(page.locator('div.error-summary')).toHaveCount(0);
    const full = await page.request.get((await items.first().locator('a').getAttribute('href'))!);
    expect(full.status()).toBe(200);
    expect(jpegSize(await full.body())).toEqual({ width: MAX_SIDE, height: 1200 });
  });
}
