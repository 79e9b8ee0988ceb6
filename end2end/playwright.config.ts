import { defineConfig } from '@playwright/test';

// Server under test; test.sh starts the release binary on this address.
const baseURL = process.env.BASE_URL || 'http://127.0.0.1:3917';

// Debian's Chromium (apt `chromium`). Never `npx playwright install`: no GitHub/CDN access here.
const launchOptions = {
  executablePath: process.env.PINGAN_CHROMIUM || '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

const mobile = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
};

// File naming decides the project:
//   *.js.spec.ts      -> mobile-js only
//   *.nojs.spec.ts    -> mobile-nojs only (JavaScript disabled: server-rendered forms must work)
//   *.spec.ts (other) -> mobile-js
//   resident/draft-binding.spec.ts, staff/intake.spec.ts -> mobile-js AND mobile-nojs
export default defineConfig({
  testDir: 'tests',
  globalSetup: require.resolve('./global-setup'),
  timeout: 30_000,
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  // Screenshot baselines (elder-screens.nojs.spec.ts) live next to their spec, named by page,
  // project and platform only (`home-mobile-nojs-linux.png`): the same name on every machine of
  // the same kind (Debian, its chromium), so CI on a fresh clone compares against them.
  snapshotPathTemplate: '{testDir}/{testFileDir}/{testFileName}-snapshots/{arg}{-projectName}{-platform}{ext}',
  use: {
    baseURL,
    launchOptions,
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'mobile-js',
      testMatch: /\.spec\.ts$/,
      testIgnore: /\.nojs\.spec\.ts$/,
      use: { ...mobile, javaScriptEnabled: true },
    },
    {
      name: 'mobile-nojs',
      testMatch: [/\.nojs\.spec\.ts$/, /draft-binding\.spec\.ts$/, /staff\/intake\.spec\.ts$/],
      use: { ...mobile, javaScriptEnabled: false },
    },
  ],
});
