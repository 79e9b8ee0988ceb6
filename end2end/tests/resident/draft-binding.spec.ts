// Issue 9 §1–2: a draft and its receipt belong to the browser that wrote them, and the access key
// never reaches a server in a URL.
//
// Runs in both projects (see playwright.config.ts): mobile-js and mobile-nojs. Context A is the
// test's own page; context B is a fresh `browser.newContext()` with the same JavaScript setting,
// standing for someone else's phone that learnt A's URLs (a QR poster, a shared screen, history).
import { test, expect, type Page } from '@playwright/test';
import {
  EXPIRED,
  STEPS,
  UNIT,
  chooseCategory,
  chooseRegion,
  continueFromPhotos,
  continueFromWhere,
  describe,
  describeHydrated,
  expectTrackResult,
  identify,
  startAppeal,
  submit,
  tokenOf,
  trackByForm,
  urlRe,
  wizardToCheck,
} from './helpers';

const DESCRIPTION_A = '我家楼下的配电箱一直冒烟，物业说不归他们管，晚上更严重。';
const NAME = '欧阳秀兰';
const PHONE = '13912345678';

/** Nothing A typed, and none of A's codes, is on B's page. */
async function expectNothingOfA(page: Page, codes: string[] = []): Promise<void> {
  const html = await page.content();
  for (const secret of [DESCRIPTION_A, NAME, PHONE, '139****5678', ...codes]) {
    expect(html, `B sees ${secret}`).not.toContain(secret);
  }
}

/** B gets the "expired" page (HTTP 404) for `path`. */
async function expectExpired(page: Page, path: string, codes: string[] = []): Promise<void> {
  const res = await page.goto(path);
  expect(res?.status(), path).toBe(404);
  await expect(page.locator('main p[role=alert]')).toHaveText(EXPIRED);
  await expect(page.locator('form.step-form')).toHaveCount(0);
  await expectNothingOfA(page, codes);
}

test('another browser opening a draft, its photo or its receipt sees the expired page and nothing of it', async ({ page, browser, baseURL }, testInfo) => {
  test.setTimeout(90_000);
  const js = testInfo.project.use.javaScriptEnabled !== false;

  // A writes a named appeal (no photo).
  await startAppeal(page);
  await chooseCategory(page, 'sanitation');
  const token = tokenOf(page);
  if (js) await describeHydrated(page, DESCRIPTION_A);
  else await describe(page, DESCRIPTION_A);
  await chooseRegion(page, { district: 'HD', street: 'HD01', community: 'HD0101' });
  await continueFromWhere(page);
  await continueFromPhotos(page);
  await identify(page, { name: NAME, phone: PHONE });
  await expect(page.locator('dl.summary')).toContainText(DESCRIPTION_A);

  // B, with A's URLs but not A's cookie.
  const ctxB = await browser.newContext({ baseURL, javaScriptEnabled: js, locale: 'zh-CN' });
  const b = await ctxB.newPage();
  for (const step of Object.keys(STEPS)) {
    await expectExpired(b, `/appeal/${token}/${step}`);
  }
  // A draft photo URL of A's draft (A uploaded none; B guesses an id): expired, nothing else.
  const photo = await b.goto(`/draft-photo/${token}/0123456789abcdef0123456789abcdef`);
  expect(photo?.status()).toBe(404);
  await expect(b.locator('main p[role=alert]')).toHaveText(EXPIRED);
  // B cannot write into A's draft either: its post answers "expired" and changes nothing.
  const write = await ctxB.request.post(`/form/appeal/${token}/what`, {
    headers: { Origin: new URL(baseURL!).origin },
    form: { description: '别人写进来的内容，想改掉原来的描述' },
    maxRedirects: 0,
  });
  expect(write.status()).toBe(404);
  await page.reload();
  await expect(page.locator('dl.summary')).toContainText(DESCRIPTION_A);

  // A submits and gets the receipt.
  const receipt = await submit(page);
  expect(receipt.unit).toContain(UNIT.communityHD0101);

  // B opens the receipt URL, and A's step URLs again (a later victim of a poster must not land
  // on A's receipt).
  const codes = [receipt.ticket, receipt.key, receipt.key.replaceAll('-', '')];
  await expectExpired(b, `/receipt/${token}`, codes);
  await expectExpired(b, `/appeal/${token}/category`, codes);
  await expect(b).toHaveURL(urlRe(`/appeal/${token}/category`));
  await ctxB.close();

  // A still has its receipt.
  await page.goto(`/receipt/${token}`);
  await expect(page.locator('#key')).toHaveText(receipt.key);
});

test('the receipt link opens the appeal without the key reaching the server', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  const js = testInfo.project.use.javaScriptEnabled !== false;
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));

  await startAppeal(page);
  await chooseCategory(page, 'sanitation');
  if (js) await describeHydrated(page, DESCRIPTION_A);
  else await describe(page, DESCRIPTION_A);
  await chooseRegion(page, { district: 'HD', street: 'HD01', community: 'HD0101' });
  await continueFromWhere(page);
  await continueFromPhotos(page);
  await identify(page, 'anonymous');
  const receipt = await submit(page);

  await page.locator('a#track-link').click();
  if (js) {
    // The island posts the fragment's codes and takes them out of the address bar.
    await expect(page).toHaveURL(urlRe('/track'));
  } else {
    // Without JavaScript the fragment stays in the address bar, unseen by the server; the
    // resident types the two codes into the POST form.
    await expect(page.locator('form#track-form')).toBeVisible();
    await expect(page.locator('dl#track-result')).toHaveCount(0);
    await trackByForm(page, receipt.ticket, receipt.key);
  }
  await expectTrackResult(page, { ticket: receipt.ticket, unit: UNIT.communityHD0101 });
  await expect(page.locator('main')).not.toContainText(receipt.key);

  // Reload and back never post again (303 after each POST) and the page stays.
  const posts: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST') posts.push(r.url());
  });
  await page.reload();
  await expectTrackResult(page, { ticket: receipt.ticket, unit: UNIT.communityHD0101 });
  expect(posts).toEqual([]);

  // No request of this browser ever had the key in its URL. Fragments are never sent, whatever
  // the tool reports, so they are left out of the check.
  for (const raw of urls) {
    const parsed = new URL(raw);
    parsed.hash = '';
    const u = parsed.toString();
    expect(u).not.toContain(receipt.key);
    expect(u).not.toContain(receipt.key.replaceAll('-', ''));
    expect(u).not.toContain('key=');
  }

  // Done on a shared phone: forget it here.
  await page.getByRole('button', { name: '查完了，在这部手机上退出' }).click();
  await expect(page).toHaveURL(urlRe('/track\\?done=1'));
  await expect(page.locator('main p.notice[role=status]')).toHaveText('已退出，这部手机不再打开这件诉求。如果下面“这部手机上的回执”里还有它，请点“清除这部手机上的回执”。');
  await expect(page.locator('dl#track-result')).toHaveCount(0);
  await page.goto('/track');
  await expect(page.locator('dl#track-result')).toHaveCount(0);
  await expect(page.locator('form#track-form')).toBeVisible();
});

test('"noted, stop showing it on this phone": the receipt no longer opens here, the codes still track', async ({
  page,
}, testInfo) => {
  test.setTimeout(90_000);
  await wizardToCheck(page, { hydrated: testInfo.project.use.javaScriptEnabled !== false });
  const receipt = await submit(page);
  const receiptUrl = page.url();
  await page.getByRole('button', { name: '已记下，这部手机不再显示这张回执' }).click();
  await expect(page).toHaveURL(urlRe('/track\\?done=1'));
  await expect(page.locator('main p.notice[role=status]')).toContainText('如果下面“这部手机上的回执”里还有它');
  // From the history: the expired page, no codes.
  const res = await page.goto(receiptUrl);
  expect(res?.status()).toBe(404);
  await expect(page.locator('main p[role=alert]')).toHaveText(EXPIRED);
  expect(await page.content()).not.toContain(receipt.key);
  // The codes still open the appeal.
  await page.goto('/track');
  await trackByForm(page, receipt.ticket, receipt.key);
  await expectTrackResult(page, { ticket: receipt.ticket, unit: UNIT.communityHD0101 });
});
