import { test, expect, Page } from '@playwright/test';
import * as fs from 'fs';

// The header documented in the README ("Security"): no inline scripts or styles, wasm allowed,
// fetches only to this origin and the Hugging Face Hub, embeddable anywhere.
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' https://huggingface.co https://*.hf.co",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  'frame-ancestors *',
].join('; ');

async function withCsp(page: Page, violations: string[]) {
  await page.route('**/*', async (route) => {
    if (route.request().resourceType() !== 'document') return route.continue();
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': CSP } });
  });
  page.on('console', (m) => { if (m.type() === 'error') violations.push(m.text()); });
  page.on('pageerror', (e) => violations.push(e.message));
}

test('the app works under a strict Content-Security-Policy', async ({ page }) => {
  const problems: string[] = [];
  await withCsp(page, problems);
  await page.goto('/?ctx=4096');
  await expect(page.locator('td.grid__cell')).toHaveCount(60);
  await page.locator('input[name=ctx]').fill('8192');
  await expect.poll(() => page.url()).toContain('ctx=8192');
  await page.locator('td.grid__cell').first().click();
  await expect(page.getByTestId('detail').locator('.bar__part[data-part=weights]')).toHaveCSS('width', /px/);
  const w = await page.getByTestId('detail').locator('.bar__part[data-part=weights]').evaluate((el) => (el as HTMLElement).style.width);
  expect(w).toMatch(/%$/);
  expect(problems, 'no CSP violations or errors').toEqual([]);
});

test('hostile names from links and pasted configs render as text only', async ({ page }) => {
  const problems: string[] = [];
  await withCsp(page, problems);
  let dialogs = 0;
  page.on('dialog', (d) => { dialogs++; d.dismiss(); });
  const cfg = JSON.parse(fs.readFileSync('e2e/fixtures/config.json', 'utf8'));
  await page.goto('/');
  await page.getByText('Add your own model or GPU').click();
  await page.locator('textarea[name=config]').fill(JSON.stringify(cfg));
  await page.locator('input[name=model-name]').fill('<img src=x onerror=alert(1)>');
  await page.locator('button[name=add-config]').click();
  await page.locator('input[name=gpu-name]').fill('javascript:alert(2)');
  await page.locator('input[name=gpu-memory]').fill('24');
  await page.locator('button[name=add-gpu]').click();
  const modelHeader = (p: Page) => p.locator('tr[data-model="custom:img-src-x-onerror-alert-1"] th.grid__model');
  await expect(modelHeader(page)).toHaveText('<img src=x onerror=alert(1)>');
  await expect(page.locator('th.grid__gpu[data-gpu="custom:javascript-alert-2"]')).toContainText('javascript:alert(2)');
  await expect(page.locator('main img')).toHaveCount(0);
  await expect(page.locator('a[href^="javascript:"]')).toHaveCount(0);
  // The same names arriving through a shared link (once the debounced URL has caught up).
  await expect.poll(() => page.url()).toContain('cg=javascript');
  await expect.poll(() => page.url()).toContain('cm=');
  const other = await page.context().newPage();
  const more: string[] = [];
  await withCsp(other, more);
  other.on('dialog', (d) => { dialogs++; d.dismiss(); });
  await other.goto(page.url());
  await expect(modelHeader(other)).toHaveText('<img src=x onerror=alert(1)>');
  await expect(other.locator('main img')).toHaveCount(0);
  expect(dialogs).toBe(0);
  expect(problems.concat(more)).toEqual([]);
});
