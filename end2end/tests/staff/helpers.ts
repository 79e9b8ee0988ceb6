// Shared steps for the staff workspace (zh-CN, as the server renders it by default). Every action
// is a plain form posted with the session's CSRF token and answered with a redirect back to the
// appeal's page, so these steps work with JavaScript on and off.
import { expect, type Page } from '@playwright/test';
import { createHmac } from 'crypto';
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/** Accounts test.sh creates with `pingan create-staff` before starting the server. */
export const STAFF = {
  grid: 'e2e-grid', // 网格员, U-HD010101
  community: 'e2e-community', // 办理人员, U-HD0101
  street: 'e2e-street', // 调度员, U-HD01
  district: 'e2e-district', // 调度员, U-HD
  hrss: 'e2e-hrss', // 办理人员, D-HD-hrss
  admin: 'e2e-admin', // 管理员, U-SF (the city's centre)
} as const;
export const PASSWORD = process.env.PINGAN_E2E_PASSWORD || 'e2e correct horse battery';

/** `PA-XXXX-XXXX` (receipt) → `PAXXXXXXXX` (staff URLs). */
export const stored = (ticket: string): string => ticket.replaceAll('-', '');

// ---- Second factor (issue 9 §4): dispatchers and admins must enrol a TOTP key at their first
// sign-in. The key is read from the enrolment page (#totp-secret, the manual-entry key) and kept
// per user for later sign-ins in the same run; codes are computed here (RFC 6238: HMAC-SHA1,
// 30 s steps, 6 digits). A code is accepted once per step, so a step already used for a user is
// never used again (the next step's code is accepted a little early; otherwise we wait).

/** Secrets of this run, by user name; also in a file so a restarted worker still knows them. */
const SECRETS_FILE = join(tmpdir(), `pingan-e2e-totp-${(process.env.BASE_URL || '3917').replace(/[^A-Za-z0-9]/g, '_')}.json`);
const secrets = new Map<string, string>();
const lastStep = new Map<string, number>();

/** The last step used per user, also in a file: a restarted worker (after a failed test) or a
 * rerun within the same 30 s must not offer the server a code it has already accepted. */
const STEPS_FILE = SECRETS_FILE.replace(/\.json$/, '-steps.json');

function loadSecrets(): void {
  if (secrets.size === 0 && existsSync(SECRETS_FILE)) {
    for (const [k, v] of Object.entries(JSON.parse(readFileSync(SECRETS_FILE, 'utf8')) as Record<string, string>)) secrets.set(k, v);
  }
  if (existsSync(STEPS_FILE)) {
    for (const [k, v] of Object.entries(JSON.parse(readFileSync(STEPS_FILE, 'utf8')) as Record<string, number>)) {
      lastStep.set(k, Math.max(v, lastStep.get(k) ?? -1));
    }
  }
}

function saveSecret(user: string, secret: string): void {
  secrets.set(user, secret);
  writeFileSync(SECRETS_FILE, JSON.stringify(Object.fromEntries(secrets)));
}

function base32Decode(s: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of s.replace(/=+$/, '').toUpperCase()) {
    const i = alphabet.indexOf(c);
    if (i < 0) throw new Error(`not base32: ${c}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The RFC 6238 code of `secret` (base32) for time step `step`. */
export function totpCode(secret: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const n = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(n % 1_000_000).padStart(6, '0');
}

/** A code for `user` that the server has not seen: this step's, or the next one's. */
async function freshCode(page: Page, user: string, secret: string): Promise<string> {
  for (;;) {
    const now = Math.floor(Date.now() / 1000);
    const step = Math.floor(now / 30);
    const used = lastStep.get(user) ?? -1;
    const pick = Math.max(step, used + 1);
    if (pick <= step + 1) {
      lastStep.set(user, pick);
      writeFileSync(STEPS_FILE, JSON.stringify(Object.fromEntries(lastStep)));
      return totpCode(secret, pick);
    }
    await page.waitForTimeout((30 - (now % 30)) * 1000 + 200);
  }
}

/** On the enrolment page: reads the key, answers with a code, leaves through "go to the inbox". */
async function enrol(page: Page, user: string): Promise<void> {
  const key = page.locator('#totp-secret');
  if ((await key.count()) === 0) await page.locator('#totp-start').click();
  await expect(key).toHaveCount(1);
  const secret = (await key.getAttribute('data-secret')) || '';
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  saveSecret(user, secret);
  await page.locator('#code').fill(await freshCode(page, user, secret));
  await page.locator('#totp-confirm-submit').click();
  await expect(page.locator('#recovery-codes li')).toHaveCount(10);
  await page.locator('#go-to-inbox').click();
}

export async function staffLogin(page: Page, username: string): Promise<void> {
  loadSecrets();
  await page.goto('/staff/login');
  await expect(page.locator('main h1')).toHaveText('工作人员登录');
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page).toHaveURL(/\/staff(\/login\/code|\/account\/totp(#.*)?)?$/);
  const url = new URL(page.url());
  if (url.pathname === '/staff/account/totp') {
    await enrol(page, username);
  } else if (url.pathname === '/staff/login/code') {
    const secret = secrets.get(username);
    if (!secret) throw new Error(`${username} has a second factor, but this run did not enrol it`);
    await page.locator('#code').fill(await freshCode(page, username, secret));
    await page.locator('#code-submit').click();
  }
  await expect(page).toHaveURL(/\/staff$/);
  await expect(page.locator('main h1')).toHaveText('待办诉求');
}

export async function staffLogout(page: Page): Promise<void> {
  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page).toHaveURL(/\/staff\/login$/);
}

/**
 * Opens the appeal from the inbox list (it must be in this person's scope, and match `query`,
 * e.g. `?due=overdue`). The list is narrowed to the ticket: the suite's earlier appeals would
 * otherwise push it to a later page of a busy scope.
 */
export async function openFromInbox(page: Page, ticket: string, query = ''): Promise<void> {
  await page.goto(`/staff${query}${query ? '&' : '?'}ticket=${encodeURIComponent(ticket)}`);
  const item = page.locator(`li.inbox-item[data-ticket="${stored(ticket)}"]`);
  await expect(item).toHaveCount(1);
  await item.locator('a.code').click();
  await expect(page.locator('main h1')).toHaveText(`诉求 ${ticket}`);
}

/**
 * Fills an action form (`section#<name>`) and presses its button; expects the "已保存。" notice.
 * `fields` maps element ids to values; checkboxes are given as `check:<label>`.
 */
export async function act(page: Page, name: string, button: string, fields: Record<string, string> = {}): Promise<void> {
  const section = page.locator(`section#${name}`);
  await expect(section).toHaveCount(1);
  for (const [id, value] of Object.entries(fields)) {
    if (id.startsWith('check:')) {
      await section.getByLabel(id.slice(6)).check();
    } else if ((await section.locator(`select#${id}`).count()) > 0) {
      await section.locator(`#${id}`).selectOption(value);
    } else {
      await section.locator(`#${id}`).fill(value);
    }
  }
  await section.getByRole('button', { name: button, exact: true }).click();
  await expect(page.locator('main p.notice[role=status]').first()).toHaveText('已保存。');
}

export async function expectStatus(page: Page, status: string, unit?: string): Promise<void> {
  await expect(page.locator('#appeal-details #status strong')).toHaveText(status);
  if (unit) await expect(page.locator('#appeal-details #unit')).toHaveText(unit);
}
