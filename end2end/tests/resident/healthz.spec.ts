import { test, expect } from '@playwright/test';

// The release binary as deployed: its health check is plain "ok", and every answer (the health
// check, a page, an unknown path) carries the security headers and a script policy without
// 'unsafe-inline'.
test('health check and security headers of the release server', async ({ request }) => {
  const health = await request.get('/healthz');
  expect(health.status()).toBe(200);
  expect(await health.text()).toBe('ok');

  for (const path of ['/healthz', '/', '/no-such-page']) {
    const res = await request.get(path);
    const h = res.headers();
    expect(h['x-content-type-options'], path).toBe('nosniff');
    expect(h['x-frame-options'], path).toBe('DENY');
    const csp = h['content-security-policy'] ?? '';
    const scripts = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src')) ?? '';
    expect(scripts, `${path}: ${csp}`).toContain("'self'");
    expect(scripts, path).not.toContain("'unsafe-inline'");
  }
  const missing = await request.get('/no-such-page');
  expect(missing.status()).toBe(404);
});
