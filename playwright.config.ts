import { defineConfig } from '@playwright/test';

// Debian's chromium, never a downloaded browser (the machines have no internet).
// The flags keep Chromium from dialling out (docs/decisions.md#d8).
export default defineConfig({
  testDir: 'e2e',
  outputDir: 'e2e/test-results',
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  timeout: 30_000,
  use: {
    baseURL: 'http://127.0.0.1:8765',
    viewport: { width: 1280, height: 900 },
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  webServer: [
    {
      command: 'python3 -m http.server 8765 --bind 127.0.0.1 --directory dist',
      url: 'http://127.0.0.1:8765/',
      reuseExistingServer: false,
      timeout: 20_000,
      stdout: 'ignore',
      stderr: 'ignore',
    },
    {
      // The same dist/ under /tools/fitgrid/ with nothing at the root (e2e/subpath.spec.ts).
      command: 'python3 scripts/serve_subpath.py 8766',
      url: 'http://127.0.0.1:8766/tools/fitgrid/',
      reuseExistingServer: false,
      timeout: 20_000,
      stdout: 'ignore',
      stderr: 'ignore',
    },
  ],
});
