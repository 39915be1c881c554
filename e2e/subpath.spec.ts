import { test, expect } from './page-checks';

// Docs servers host the app under a sub-path. dist/ served under /tools/fitgrid/ only (the root
// answers 404): the page starts, loads every asset from the sub-path, and links stay there.
const SUB = `http://127.0.0.1:${Number(process.env.FITGRID_E2E_PORT ?? 8765) + 1}`;
const BASE = `${SUB}/tools/fitgrid/`;

test('served from a sub-path the page starts, with no console error', async ({ page }) => {
  const outside: string[] = [];
  page.on('request', (r) => { if (!r.url().startsWith(BASE) && !r.url().startsWith('data:')) outside.push(r.url()); });
  expect((await page.request.get(`${SUB}/`)).status()).toBe(404);
  await page.goto(BASE + '?ctx=4096');
  await expect(page.locator('td.grid__cell')).toHaveCount(60);
  await page.locator('input[name=ctx]').fill('8192');
  await expect.poll(() => page.url()).toContain('/tools/fitgrid/?');
  await expect.poll(() => page.url()).toContain('ctx=8192');
  expect(outside, 'every request stays under the sub-path').toEqual([]);
  // A shared link opens the same view under the sub-path.
  const other = await page.context().newPage();
  await other.goto(page.url());
  await expect(other.locator('input[name=ctx]')).toHaveValue('8192');
  await expect(other.locator('td.grid__cell')).toHaveCount(60);
});
