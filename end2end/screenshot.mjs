// Takes the README's screenshot of the home page on a phone (run by hand against a server:
//   node screenshot.mjs http://127.0.0.1:3917 ../docs/screenshot-home.png).
import { chromium } from '@playwright/test';

const [base = 'http://127.0.0.1:3000', out = '../docs/screenshot-home.png'] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.PINGAN_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'zh-CN' });
await page.goto(base + '/');
await page.screenshot({ path: out });
await browser.close();
