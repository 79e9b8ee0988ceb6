// JavaScript ON: recovering a lost receipt by SMS code (issue 14); see recover-flow.ts.
import { test } from '@playwright/test';
import { recoverALostReceipt } from './recover-flow';

test('a named resident recovers a lost receipt with a code sent by SMS', async ({ browser }) => {
  test.setTimeout(90_000);
  await recoverALostReceipt(browser, true);
});
