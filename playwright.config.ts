import { defineConfig } from '@playwright/test';

// Two local servers: dist/ at the root and under a sub-path. FITGRID_E2E_PORT moves both (the
// sub-path one is the next port), so two checkouts can run their suites side by side.
const PORT = Number(process.env.FITGRID_E2E_PORT ?? 8765);
process.env.FITGRID_E2E_PORT = String(PORT);

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
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1280, height: 900 },
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  webServer: [
    {
      command: `python3 -m http.server ${PORT} --bind 127.0.0.1 --directory dist`,
      url: `http://127.0.0.1:${PORT}/`,
      reuseExistingServer: false,
      timeout: 20_000,
      stdout: 'ignore',
      stderr: 'ignore',
    },
    {
      // The same dist/ under /tools/fitgrid/ with nothing at the root (e2e/subpath.spec.ts).
      command: `python3 scripts/serve_subpath.py ${PORT + 1}`,
      url: `http://127.0.0.1:${PORT + 1}/tools/fitgrid/`,
      reuseExistingServer: false,
      timeout: 20_000,
      stdout: 'ignore',
      stderr: 'ignore',
    },
  ],
});
