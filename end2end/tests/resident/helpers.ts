// Shared steps for the resident appeal wizard (zh-CN texts, as the server renders them by default).
//
// Every helper drives the real pages: plain forms posted to /form/appeal/<token>/<step>, answered
// with 303 → the next step. They work with JavaScript on and off; JS-only parts (geolocation,
// inline validation) live in the *.js.spec.ts files.
import { expect, test, type Locator, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

/** Draft tokens in URLs: 32 lowercase hex characters. */
export const TOKEN = '[0-9a-f]{32}';
/** `PA-XXXX-XXXX` as shown on the receipt (Crockford base 32: no I, L, O, U). */
export const TICKET_RE = /^PA-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;
/** The 26-character access key grouped by four: `XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XX`. */
export const KEY_RE = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}-[0-9A-HJKMNP-TV-Z]{2}$/;

/** A valid 1×1 PNG (the server decodes and re-encodes uploads, so it must be a real image). */
export const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

export const STEPS = {
  category: { n: 1, title: '是哪一类事情？' },
  what: { n: 2, title: '发生了什么？' },
  where: { n: 3, title: '在哪里？' },
  photos: { n: 4, title: '有照片吗？（选填）' },
  who: { n: 5, title: '您是谁？' },
  check: { n: 6, title: '核对一下' },
} as const;
export type StepSlug = keyof typeof STEPS;

/** Error messages (domain/src/i18n.rs, zh-CN). */
export const ERR = {
  categoryMissing: '请选择诉求类别',
  descriptionEmpty: '请写下发生了什么',
  descriptionShort: '请至少写 10 个字，说清楚事情经过',
  regionMissing: '请使用定位，或至少选择所在的区县',
  photoType: '只能上传 JPG、PNG 或 WebP 格式的照片',
  phoneInvalid: '请填写正确的手机号（11 位）或带区号的固定电话',
  trackNotFound: '受理编号或查询码不对，请核对回执后再试。',
} as const;

/** Units the demo city routes to (data-demo). */
export const UNIT = {
  labourHD: '河东区人力资源和社会保障局',
  communityHD0101: '东关街道和平社区居委会',
  gridHD010101: '东关街道和平社区第1网格工作站',
  centreHD: '河东区综治中心',
} as const;

/** A description comfortably over the 10-character minimum. */
export const DESCRIPTION = '楼上邻居每天夜里十一点以后还在装修，电钻声很大，影响休息，希望社区协调。';

/** A whole-URL pattern for a path (regex source, anchored after the host). */
export const urlRe = (path: string): RegExp => new RegExp(`^https?://[^/]+${path}$`);

export const continueButton = (page: Page): Locator =>
  page.locator('form.step-form button.button[type=submit]', { hasText: '下一步' });

/** The token of the draft shown on the current page (from the URL `/appeal/<token>/<step>`). */
export function tokenOf(page: Page): string {
  const m = new URL(page.url()).pathname.match(new RegExp(`^/appeal/(${TOKEN})/`));
  if (!m) throw new Error(`not on a draft step page: ${page.url()}`);
  return m[1];
}

/** Asserts the current page is `step` of the wizard (URL, heading, "第 n 步，共 6 步"). */
export async function expectStep(page: Page, step: StepSlug, opts: { fromCheck?: boolean } = {}): Promise<void> {
  // The "where" step may carry the map's zoom (`?map=<region>#map`): the same step.
  const q = opts.fromCheck ? '\\?from=check' : step === 'where' ? '(\\?map=[A-Za-z0-9]+(#map)?)?' : '';
  await expect(page).toHaveURL(urlRe(`/appeal/${TOKEN}/${step}${q}`));
  await expect(page.locator('main h1')).toHaveText(STEPS[step].title);
  await expect(page.locator('p.step-of')).toHaveText(`第 ${STEPS[step].n} 步，共 6 步`);
}

/**
 * Opens `/appeal/new` (step 1). Nothing exists yet: the form posts to `/form/appeal/new`, which
 * issues the draft's token and binds it to this browser with a cookie. Read the token with
 * `tokenOf(page)` once step 1 is posted.
 */
export async function startAppeal(page: Page): Promise<void> {
  await page.goto('/appeal/new');
  await expect(page).toHaveURL(urlRe('/appeal/new'));
  await expect(page.locator('main h1')).toHaveText(STEPS.category.title);
  await expect(page.locator('p.step-of')).toHaveText('第 1 步，共 6 步');
  await expect(page.locator('form.step-form')).toHaveAttribute('action', '/form/appeal/new');
}

/** Step 1: pick a category by its code (e.g. `wage_arrears`) and continue to step 2. */
export async function chooseCategory(page: Page, code: string): Promise<void> {
  await page.locator(`input[type=radio][name=category][value="${code}"]`).check();
  await continueButton(page).click();
  await expectStep(page, 'what');
}

/** The wage category's required extra questions (issue 13), answered on step 2. */
export const WAGE_ANSWERS = { q_employer: '某某建筑劳务公司', q_amount: '3000', q_months: '3' };

/** Answers the category's extra questions on step 2 when it asks them (the wage category). */
export async function answerQuestions(page: Page): Promise<void> {
  if ((await page.locator('section.questions').count()) === 0) return;
  for (const [id, value] of Object.entries(WAGE_ANSWERS)) {
    const input = page.locator(`input#${id}`);
    if ((await input.count()) > 0) await input.fill(value);
  }
}

/** Step 2: write the description (and answer the category's questions) and continue to step 3. */
export async function describe(page: Page, text: string = DESCRIPTION): Promise<void> {
  await page.locator('textarea#description').fill(text);
  await answerQuestions(page);
  await continueButton(page).click();
  await expectStep(page, 'where');
}

/**
 * Step 2 with JavaScript on: fills the description once the island is live (its character
 * counter follows the text; filling before hydration could be overwritten), then continues.
 */
export async function describeHydrated(page: Page, text: string = DESCRIPTION): Promise<void> {
  await fillDescriptionHydrated(page, text);
  await answerQuestions(page);
  await continueButton(page).click();
  await expectStep(page, 'where');
}

/** Fills `#description` after hydration; asserts the live counter "已写 n / 2000 字". */
export async function fillDescriptionHydrated(page: Page, text: string): Promise<void> {
  const textarea = page.locator('textarea#description');
  const n = [...text.trim()].length;
  await expect(async () => {
    await textarea.fill(text);
    await expect(page.locator('#description-count')).toHaveText(`已写 ${n} / 2000 字`, { timeout: 1000 });
  }).toPass({ timeout: 15_000 });
}

/**
 * Step 3 without geolocation: choose the district, then (pressing "更新下一级选项" for each
 * next level) the street and community. Stays on step 3; call `continueFromWhere` next.
 */
export async function chooseRegion(
  page: Page,
  region: { district: string; street?: string; community?: string },
): Promise<void> {
  const refine = page.getByRole('button', { name: '更新下一级选项' });
  await page.locator('select#region').selectOption(region.district);
  if (region.street) {
    await expect(page.locator('select#street')).toHaveCount(0);
    await refine.click();
    await expectStep(page, 'where');
    await expect(page.locator('select#region')).toHaveValue(region.district);
    await page.locator('select#street').selectOption(region.street);
  }
  if (region.community) {
    await expect(page.locator('select#community')).toHaveCount(0);
    await refine.click();
    await expectStep(page, 'where');
    await expect(page.locator('select#street')).toHaveValue(region.street!);
    await page.locator('select#community').selectOption(region.community);
  }
}

/** Step 3 → step 4. */
export async function continueFromWhere(page: Page): Promise<void> {
  await continueButton(page).click();
  await expectStep(page, 'photos');
}

/**
 * Step 3 after "使用我的位置": the first "下一步" shows step 3 again naming where the point fell
 * (issue 14), the second goes on to step 4. `place` is what it must name.
 */
export async function continueFromLocated(page: Page, place = '和平社区 · 第1网格'): Promise<void> {
  await continueButton(page).click();
  await expectStep(page, 'where');
  await expect(page.locator('#point-place')).toContainText(place);
  await continueFromWhere(page);
}

/** Whether the running test's project has JavaScript on. */
export const jsOn = (): boolean => test.info().project.use.javaScriptEnabled !== false;

/**
 * Step 4: choose a file. With JavaScript the page sends it at once (issue 14,
 * `/photo-upload.js`) and opens the step again; without, "上传这张照片" sends it.
 */
export async function choosePhoto(page: Page, file: { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
  await page.locator('input#photo').setInputFiles(file);
  if (!jsOn()) await page.getByRole('button', { name: '上传这张照片' }).click();
}

/** Step 4: upload one PNG and check it is listed (its thumbnail, linked to it); stays on step 4. */
export async function uploadPhoto(page: Page, expectedCount = 1): Promise<void> {
  await choosePhoto(page, { name: 'street.png', mimeType: 'image/png', buffer: PNG_1X1 });
  await expectStep(page, 'photos');
  const items = page.locator('ul.photos > li');
  await expect(items).toHaveCount(expectedCount);
  await expect(page.locator('div.error-summary')).toHaveCount(0);
  const img = items.nth(expectedCount - 1).locator('a > img');
  await expect(img).toHaveAttribute('alt', `已上传的照片 ${expectedCount}`);
  await expect(img).toHaveAttribute('src', new RegExp(`^/draft-photo/${TOKEN}/[0-9a-f]+\\?size=thumb$`));
  await expect(items.nth(expectedCount - 1).locator('a')).toHaveAttribute('href', new RegExp(`^/draft-photo/${TOKEN}/[0-9a-f]+$`));
}

/**
 * Step 4's "下一步": a submit button of the upload form (it also uploads a chosen photo), or a
 * link once the draft has its 3 photos.
 */
export const photosContinue = (page: Page): Locator =>
  page.locator('main form.upload button#photos-continue, main a.button', { hasText: '下一步' });

/** Step 4 → step 5. */
export async function continueFromPhotos(page: Page): Promise<void> {
  await photosContinue(page).click();
  await expectStep(page, 'who');
}

/** Step 5: anonymous, or named with a phone; continues to the check page. */
export async function identify(page: Page, who: 'anonymous' | { name: string; phone: string }): Promise<void> {
  if (who === 'anonymous') {
    await page.locator('#identity').check();
  } else {
    await page.locator('#identity-named').check();
    await page.locator('#name').fill(who.name);
    await page.locator('#phone').fill(who.phone);
  }
  await continueButton(page).click();
  await expectStep(page, 'check');
}

/** The check page's summary rows as `label → value`. */
export async function checkSummary(page: Page): Promise<Record<string, string>> {
  // Category, what, where, photos, who, and whether the description may be published (the
  // answers to a category's extra questions, rows of class `answer`, are left out).
  const rows = page.locator('dl.summary > div.summary-row:not(.answer)');
  await expect(rows).toHaveCount(6);
  const out: Record<string, string> = {};
  for (const row of await rows.all()) {
    out[(await row.locator('dt').innerText()).trim()] = (await row.locator('dd.pre').innerText()).trim();
  }
  return out;
}

export const submitButton = (page: Page): Locator => page.locator('form button.button-submit', { hasText: '提交' });

export interface Receipt {
  token: string;
  ticket: string;
  key: string;
  unit: string;
}

/** Asserts the receipt page for `token` and reads its ticket, key and unit. */
export async function readReceipt(page: Page, token: string): Promise<Receipt> {
  await expect(page).toHaveURL(urlRe(`/receipt/${token}`));
  await expect(page.locator('main h1')).toHaveText('已受理');
  const ticket = (await page.locator('#ticket').innerText()).trim();
  const key = (await page.locator('#key').innerText()).trim();
  expect(ticket).toMatch(TICKET_RE);
  expect(key).toMatch(KEY_RE);
  await expect(page.locator('figure.qr svg')).toHaveCount(1);
  // The codes travel in the fragment, which browsers never send to the server.
  await expect(page.locator('a#track-link')).toHaveAttribute('href', `/track#t=${ticket}&k=${key}`);
  // "<unit name> <phone>": the name comes first.
  const unit = (await page.locator('#unit').innerText()).trim();
  return { token, ticket, key, unit };
}

/** Presses "提交" on the check page and reads the receipt. */
export async function submit(page: Page): Promise<Receipt> {
  const token = tokenOf(page);
  await submitButton(page).click();
  return readReceipt(page, token);
}

/** The expired page (unknown token, or a draft/receipt of another browser). */
export const EXPIRED = '这份草稿已过期或不存在，请重新开始。';

/**
 * Looks an appeal up by typing ticket and key into `/track` (works with JavaScript off): a POST,
 * then 303 back to a bare `/track` that shows the appeal from this browser's session cookie.
 */
export async function trackByForm(page: Page, ticket: string, key: string): Promise<void> {
  await page.goto('/track');
  await page.locator('form#track-form #ticket').fill(ticket);
  await page.locator('form#track-form #key').fill(key);
  await page.locator('form#track-form button[type=submit]').click();
  await expect(page).toHaveURL(urlRe('/track'));
}

/** Asserts the track page shows a found appeal handled by `unit`, status 待签收. */
export async function expectTrackResult(page: Page, r: { ticket: string; unit: string }): Promise<void> {
  await expect(page.locator('main h1')).toHaveText(`查进度 ${r.ticket}`);
  const result = page.locator('dl#track-result');
  await expect(result).toBeVisible();
  await expect(result.locator('#status')).toHaveText('待签收');
  await expect(result.locator('#unit')).toContainText(r.unit);
  const events = page.locator('ol.timeline > li');
  await expect(events).toHaveCount(2);
  await expect(events.nth(0).locator('p')).toHaveText('您提交了诉求');
  await expect(events.nth(1).locator('p')).toHaveText(`系统按属地和事项分派给：${r.unit}`);
}

/** Asserts the error summary lists exactly these `[field id, message]` pairs, in order. */
export async function expectErrorSummary(page: Page, errors: Array<[string, string]>): Promise<void> {
  const summary = page.locator('div.error-summary[role=alert]');
  await expect(summary).toHaveCount(1);
  await expect(summary.locator('h2')).toHaveText('请先改正以下问题');
  // It takes focus when the page opens (autofocus), so screen readers announce it first.
  await expect(summary).toBeFocused();
  const links = summary.locator('li a');
  await expect(links).toHaveCount(errors.length);
  for (const [i, [field, msg]] of errors.entries()) {
    await expect(links.nth(i)).toHaveAttribute('href', `#${field}`);
    await expect(links.nth(i)).toHaveText(msg);
  }
  await expect(page).toHaveTitle(/^请先改正以下问题: /);
}

/** Asserts the message shown at a field (`p.field-error#<field>-error`). */
export async function expectFieldError(page: Page, field: string, msg: string): Promise<void> {
  const p = page.locator(`p.field-error#${field}-error`);
  await expect(p).toHaveCount(1);
  await expect(p).toContainText(msg);
}

/**
 * Runs the whole wizard without JavaScript-only parts: sanitation in community HD0101
 * (河东区 / 东关街道 / 和平社区), no photo, anonymous. Ends on the check page; returns the token.
 */
export async function wizardToCheck(page: Page, opts: { hydrated?: boolean } = {}): Promise<string> {
  await startAppeal(page);
  await chooseCategory(page, 'sanitation');
  if (opts.hydrated) await describeHydrated(page);
  else await describe(page);
  await chooseRegion(page, { district: 'HD', street: 'HD01', community: 'HD0101' });
  await continueFromWhere(page);
  await continueFromPhotos(page);
  await identify(page, 'anonymous');
  const token = tokenOf(page);
  expect(await checkSummary(page)).toMatchObject({ 类别: '环境卫生', 位置: '河东区 / 东关街道 / 和平社区' });
  await expect(page.locator('form:has(button.button-submit)')).toHaveAttribute(
    'action',
    `/form/appeal/${token}/submit`,
  );
  return token;
}

/** The ticket on `/receipt/<token>`, read with a plain GET (no browser). */
export async function receiptTicketOf(page: Page, token: string): Promise<string> {
  const res = await page.request.get(`/receipt/${token}`);
  expect(res.status()).toBe(200);
  // The code is rendered in groups (<span class="nowrap">…</span><wbr>): drop the tags.
  const m = (await res.text()).match(/id="ticket"[^>]*>(.*?)<\/dd>/);
  expect(m, 'receipt page has #ticket').toBeTruthy();
  return m![1].replace(/<[^>]*>/g, '').trim();
}

/**
 * POSTs the check page's form as another tab or a replayed request would: with an `Origin`
 * naming this site (as browsers send), not following the redirect.
 */
export function postSubmit(page: Page, baseURL: string, token: string) {
  return page.request.post(`/form/appeal/${token}/submit`, {
    headers: { Origin: new URL(baseURL).origin },
    maxRedirects: 0,
  });
}

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Runs axe on the page as it is now; every violation is reported (soft), with where. */
export async function audit(page: Page, what: string): Promise<void> {
  // Once the stylesheet has loaded: contrast and target sizes are the page's, not the defaults.
  await page.waitForLoadState('load');
  const r = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const found = r.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`,
  );
  expect.soft(found, `${what} at ${page.url()}`).toEqual([]);
}
