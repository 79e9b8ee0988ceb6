// Shared steps for the staff workspace (zh-CN, as the server renders it by default). Every action
// is a plain form posted with the session's CSRF token and answered with a redirect back to the
// appeal's page, so these steps work with JavaScript on and off.
import { expect, type Page } from '@playwright/test';

/** Accounts test.sh creates with `pingan create-staff` before starting the server. */
export const STAFF = {
  grid: 'e2e-grid', // 网格员, U-HD010101
  community: 'e2e-community', // 办理人员, U-HD0101
  street: 'e2e-street', // 调度员, U-HD01
  district: 'e2e-district', // 调度员, U-HD
  hrss: 'e2e-hrss', // 办理人员, D-HD-hrss
} as const;
export const PASSWORD = process.env.PINGAN_E2E_PASSWORD || 'e2e correct horse battery';

/** `PA-XXXX-XXXX` (receipt) → `PAXXXXXXXX` (staff URLs). */
export const stored = (ticket: string): string => ticket.replaceAll('-', '');

export async function staffLogin(page: Page, username: string): Promise<void> {
  await page.goto('/staff/login');
  await expect(page.locator('main h1')).toHaveText('工作人员登录');
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page).toHaveURL(/\/staff$/);
  await expect(page.locator('main h1')).toHaveText('待办诉求');
}

export async function staffLogout(page: Page): Promise<void> {
  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page).toHaveURL(/\/staff\/login$/);
}

/** Opens the appeal from the inbox list (it must be in this person's scope). */
export async function openFromInbox(page: Page, ticket: string, query = ''): Promise<void> {
  await page.goto(`/staff${query}`);
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
