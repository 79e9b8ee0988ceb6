// JavaScript OFF: the offer of an open appeal on the same matter is a plain radio group inside
// the check page's submit form; joining it is one form post (issue 13).
import { test } from '@playwright/test';
import { joinAnOpenAppeal } from './related-flow';

test('a second resident joins the open appeal on the same matter (no JavaScript)', async ({ browser }) => {
  await joinAnOpenAppeal(browser, false);
});
