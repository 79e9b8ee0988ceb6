// JavaScript ON: the same offer and join as without JavaScript, with the islands hydrated
// (issue 13).
import { test } from '@playwright/test';
import { joinAnOpenAppeal } from './related-flow';

test('a second resident joins the open appeal on the same matter (JavaScript on)', async ({ browser }) => {
  await joinAnOpenAppeal(browser, true);
});
