import { test as base, expect } from '@playwright/test';

// Every test of a spec that imports `test` from here fails on a console error, an uncaught page
// error or the panic banner. `consoleAllowed` (set with `test.use`) names console errors a spec
// expects, e.g. the failed fetches of the Hub tests.
export const test = base.extend<{ consoleAllowed: RegExp | undefined; pageChecks: void }>({
  consoleAllowed: [undefined, { option: true }],
  pageChecks: [async ({ page, consoleAllowed }, use) => {
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && !consoleAllowed?.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await use();
    expect(problems, 'no unexpected console errors').toEqual([]);
    await expect(page.locator('#panic-banner')).toHaveCount(0);
  }, { auto: true }],
});
export { expect };
export type { Page, Route } from '@playwright/test';
