// JavaScript OFF (phone): the "where" step's map (issue 14). Zoom from the city to a street by
// links, tap a cell (a link: it only asks), use it (a form post), and the appeal goes to that
// very cell's station.
import { test, expect } from '@playwright/test';
import {
  DESCRIPTION,
  chooseCategory,
  continueFromPhotos,
  continueFromWhere,
  describe,
  expectStep,
  identify,
  startAppeal,
  submit,
  urlRe,
} from './helpers';

test('zoom by links, pick a cell, and it is routed to that cell', async ({ page }) => {
  await startAppeal(page);
  await chooseCategory(page, 'neighbor_dispute');
  await describe(page, DESCRIPTION);

  const map = page.locator('section#map');
  await expect(map.locator('h2')).toHaveText('或者在地图上点选：');
  // The city: one link per district, each named; the same choices as a list of buttons.
  await expect(map.locator('svg.cellmap a')).toHaveCount(3);
  await expect(map.getByRole('button', { name: '河东区' })).toBeVisible();
  await map.locator('svg.cellmap a[href*="map=HD#"]').click();
  await expectStep(page, 'where');
  await expect(page).toHaveURL(/\?map=HD#map$/);
  await expect(map.locator('li[aria-current=page]')).toHaveText('河东区');

  // What was typed survives zooming by the list (it posts the form).
  await page.locator('#address_note').fill('3号楼2单元门口');
  await map.getByRole('button', { name: '东关街道' }).click();
  await expect(page).toHaveURL(/\?map=HD01#map$/);
  await expect(page.locator('#address_note')).toHaveValue('3号楼2单元门口');
  await expect(map.locator('svg.cellmap a')).toHaveCount(12);

  // A tap on a cell asks; "就选这个网格" sets the place.
  await map.locator('svg.cellmap a[href*="cell=HD010203"]').click();
  await expect(page.locator('#map-tapped')).toContainText('你点了：幸福社区第3网格。');
  await page.getByRole('button', { name: '就选这个网格' }).click();
  await expect(page.locator('#point-place')).toHaveText(/幸福社区 · 第3网格/);
  await expect(page.locator('select#community')).toHaveValue('HD0102');
  await expect(page.locator('#map-pin')).not.toHaveAttribute('visibility', 'hidden');

  await continueFromWhere(page);
  await continueFromPhotos(page);
  await identify(page, 'anonymous');
  await submit(page);
  await expect(page).toHaveURL(urlRe('/receipt/[0-9a-f]{32}'));
  await expect(page.locator('#unit')).toContainText('东关街道幸福社区第3网格工作站');
});
