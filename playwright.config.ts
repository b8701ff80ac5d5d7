import { defineConfig } from '@playwright/test';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export default defineConfig({
  testDir: 'tests/e2e',
  snapshotPathTemplate: '{testDir}/__screenshots__/{testFilePath}/{arg}{ext}',
  // A missing screenshot fails: record one on purpose with --update-snapshots and review it.
  updateSnapshots: 'none',
  fullyParallel: true,
  workers: 2,
  timeout: 30_000,
  reporter: [['list']],
  // Tight: the same Chromium and fonts give identical pixels run to run, while one task's colour changed (Happy's
  // #009E73 to #44AA99, or Sneezy's #D55E00 to #E69F00) differs in 2,000+ pixels of the compare view.
  expect: { toHaveScreenshot: { maxDiffPixels: 50, threshold: 0.02, animations: 'disabled' } },
  use: {
    baseURL: 'http://localhost:4174/',
    viewport: { width: 1280, height: 900 },
    launchOptions: { executablePath: process.env.CHROMIUM_PATH || undefined, args: CHROMIUM_ARGS },
  },
  webServer: { command: 'npx vite preview --port 4174 --strictPort', url: 'http://localhost:4174/', reuseExistingServer: false, timeout: 30_000 },
});
