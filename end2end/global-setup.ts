// Waits for the server under test before any test runs: `cargo leptos end-to-end`
// (and a slow first start) would otherwise race the tests against the server.
import type { FullConfig } from '@playwright/test';
import { startGateway } from './sms-gateway';

export default async function globalSetup(_config: FullConfig): Promise<(() => Promise<void>) | void> {
  const base = (process.env.BASE_URL || 'http://127.0.0.1:3917').replace(/\/+$/, '');
  const url = `${base}/healthz`;
  const deadline = Date.now() + 60_000;
  let last = '';
  let ready = false;
  while (!ready && Date.now() < deadline) {
    try {
      const res = await fetch(url);
      ready = res.ok;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = String((e as Error).message || e);
    }
    if (!ready) await new Promise((r) => setTimeout(r, 500));
  }
  if (!ready) throw new Error(`server not ready: ${url} did not answer 2xx within 60 s (last: ${last})`);
  return smsGateway();
}

/** Starts the SMS stand-in when test.sh asked for it; returns its teardown. */
async function smsGateway(): Promise<(() => Promise<void>) | void> {
  const port = Number(process.env.PINGAN_E2E_SMS_PORT || 0);
  const file = process.env.PINGAN_E2E_SMS_FILE;
  if (!port || !file) return;
  const server = await startGateway(port, file);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
