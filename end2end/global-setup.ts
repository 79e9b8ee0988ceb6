// Waits for the server under test before any test runs: `cargo leptos end-to-end`
// (and a slow first start) would otherwise race the tests against the server.
import type { FullConfig } from '@playwright/test';

export default async function globalSetup(_config: FullConfig): Promise<void> {
  const base = (process.env.BASE_URL || 'http://127.0.0.1:3917').replace(/\/+$/, '');
  const url = `${base}/healthz`;
  const deadline = Date.now() + 60_000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = String((e as Error).message || e);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`server not ready: ${url} did not answer 2xx within 60 s (last: ${last})`);
}
