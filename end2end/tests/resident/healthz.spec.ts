import { test, expect } from '@playwright/test';

// Smoke test: the server under test is up and answers its health check.
test('healthz answers 200', async ({ request }) => {
  const res = await request.get('/healthz');
  expect(res.status()).toBe(200);
});
