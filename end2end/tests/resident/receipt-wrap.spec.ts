// Issue 14: at 150 % text size on a 320 px wide phone, the receipt's key and ticket wrap only
// between their groups: every group (`span.nowrap`) is one line box, one line high.
import { test, expect, type Locator } from '@playwright/test';
import { submit, wizardToCheck } from './helpers';

test.use({ viewport: { width: 320, height: 720 } });

/** Each group's client rects (one per line it spans) and height, and the line height. */
async function groups(code: Locator) {
  return code.locator('span.nowrap').evaluateAll((spans) =>
    spans.map((s) => ({
      text: s.textContent,
      lines: s.getClientRects().length,
      height: s.getBoundingClientRect().height,
      lineHeight: parseFloat(getComputedStyle(s).lineHeight) || parseFloat(getComputedStyle(s).fontSize) * 1.6,
    })),
  );
}

test('key and ticket groups stay whole at 150 % text size, 320 px wide', async ({ page }) => {
  await wizardToCheck(page);
  const receipt = await submit(page);
  await page.addStyleTag({ content: 'html { font-size: 150% !important; }' });

  const key = page.locator('#key');
  // The key as text is unchanged (copying, screen readers).
  expect((await key.innerText()).trim()).toBe(receipt.key);
  const keyGroups = await groups(key);
  expect(keyGroups.map((g) => g.text).join('')).toBe(receipt.key);
  expect(keyGroups).toHaveLength(7);
  for (const g of keyGroups) {
    expect(g.lines, `${g.text} is on one line`).toBe(1);
    expect(g.height, `${g.text} is one line high`).toBeLessThan(g.lineHeight * 1.5);
  }
  // The key really does need several lines here: the wrapping happened between groups.
  const keyBox = await key.boundingBox();
  expect(keyBox!.height).toBeGreaterThan(keyGroups[0].height * 1.8);
  // Nothing sticks out of the screen.
  expect(keyBox!.x + keyBox!.width).toBeLessThanOrEqual(320);

  const ticketGroups = await groups(page.locator('#ticket'));
  expect(ticketGroups.map((g) => g.text).join('')).toBe(receipt.ticket);
  for (const g of ticketGroups) expect(g.lines, `${g.text} is on one line`).toBe(1);
});
