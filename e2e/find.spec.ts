import { test, expect } from './page-checks';
import * as fs from 'fs';

const CONFIG = fs.readFileSync('e2e/fixtures/config.json', 'utf8');
const API = fs.readFileSync('e2e/fixtures/api-model.json', 'utf8');

// The 404 of the Hub test below is logged by the browser.
test.use({ consoleAllowed: /Failed to load resource|huggingface\.co/ });

test('one search box adds a model (by id, alias or name), a GPU and a format', async ({ page }) => {
  await page.goto('/');
  const find = page.locator('input[name=find]');
  // Every catalogue model, GPU and format is a suggestion.
  expect(await page.locator('#find-list option').count()).toBeGreaterThan(150 + 50);
  await find.fill('Qwen/Qwen3-8B');
  await find.press('Enter');
  await expect(page.locator('tr[data-model="Qwen/Qwen3-8B"]').first()).toBeVisible();
  await expect(page.locator('.find__said')).toHaveText('Added Qwen/Qwen3-8B to the grid');
  await expect(find).toHaveValue('');
  // An instruct tune with the base's config.json is that entry.
  await find.fill('meta-llama/Llama-3.1-70B-Instruct');
  await find.press('Enter');
  await expect(page.locator('tr[data-model="meta-llama/Llama-3.1-70B"]').first()).toBeVisible();
  await expect(page.locator('.find__said')).toHaveText('Added meta-llama/Llama-3.1-70B to the grid');
  // A GPU by its name, a format by its id; each once.
  await find.fill('h200');
  await find.press('Enter');
  await expect(page.locator('th.grid__gpu[data-gpu="h200-141gb"]')).toHaveCount(1);
  await find.fill('h200');
  await find.press('Enter');
  await expect(page.locator('.find__said')).toHaveText('h200-141gb is already on the grid');
  await find.fill('q4_k_m');
  await find.press('Enter');
  await expect(page.locator('tr[data-format=q4_k_m]').first()).toBeVisible();
  await expect.poll(() => page.url()).toMatch(/q=[^&]*q4_k_m/);
  // Words that name no single entry: the suggestions are the way.
  await find.fill('llama 70b');
  await find.press('Enter');
  await expect(page.locator('.find__said')).toContainText('pick a suggestion');
  await expect(find).toHaveValue('llama 70b');
});

test('an unknown owner/name from the search box is fetched from the Hub', async ({ page }) => {
  await page.route('https://huggingface.co/**', (route) => {
    const url = route.request().url();
    const cors = { 'access-control-allow-origin': '*' };
    if (url.endsWith('/acme/qwen-tune/resolve/main/config.json')) {
      return route.fulfill({ status: 200, contentType: 'application/json', body: CONFIG, headers: cors });
    }
    if (url.endsWith('/api/models/acme/qwen-tune')) {
      return route.fulfill({ status: 200, contentType: 'application/json', body: API, headers: cors });
    }
    return route.fulfill({ status: 404, body: 'not found', headers: cors });
  });
  await page.goto('/');
  await page.locator('input[name=find]').fill('acme/qwen-tune');
  await page.locator('input[name=find]').press('Enter');
  await expect(page.locator('.find__said')).toContainText('acme/qwen-tune is not in the catalogue');
  // The Hub panel opens with the repo id and does the fetch.
  await expect(page.locator('input[name=repo]')).toHaveValue('acme/qwen-tune');
  await expect(page.locator('tr[data-model="custom:acme-qwen-tune"]')).toHaveCount(4);
});

test('Clear all empties an axis; the grid says what to choose and the link keeps it', async ({ page }) => {
  await page.goto('/');
  const gpus = page.locator('details.picker[data-axis=gpus]');
  await gpus.locator('summary').click();
  await gpus.locator('button[data-only=""]').click();
  await expect(gpus.locator('summary')).toHaveText('GPUs (0)');
  await expect(page.locator('td.grid__cell')).toHaveCount(0);
  await expect(page.locator('.grid__caption')).toHaveText('Nothing on the grid yet: no GPUs chosen (add with the search box or the lists above)');
  await expect.poll(() => page.url()).toMatch(/[?&]g=(&|$)/);
  await page.reload();
  await expect(page.locator('.grid__caption')).toContainText('Nothing on the grid yet');
  await expect(page.locator('[data-testid=notice]')).toHaveCount(0);
  // Unticking the last GPU works the same way; ticking one brings the grid back.
  await page.locator('details.picker[data-axis=gpus] summary').click();
  await page.locator('details.picker[data-axis=gpus] input[type=checkbox][value="h100-sxm-80gb"]').check();
  await expect(page.locator('td.grid__cell').first()).toBeVisible();
});

test('a typed price reprices the grid as it is typed and keeps the focus', async ({ page }) => {
  await page.goto('/?mode=cost&g=h100-sxm-80gb');
  const price = page.locator('input[name=price][data-gpu="h100-sxm-80gb"]');
  await price.fill('');
  await price.pressSequentially('9.5');
  await expect(price).toBeFocused();
  await expect.poll(() => page.url()).toContain('pr=h100-sxm-80gb:9.5');
  await expect(page.locator('td.grid__cell[data-gpu="h100-sxm-80gb"]').first()).toContainText('$9.50');
});

test('a price with a decimal comma is used; junk keeps its text and says so; Tab moves on and keeps its place', async ({ page }) => {
  await page.goto('/?mode=cost&g=h100-sxm-80gb,rtx-4090-24gb');
  const prices = page.getByTestId('prices');
  const price = prices.locator('input[name=price][data-gpu="h100-sxm-80gb"]');
  await price.fill('1,50');
  await expect.poll(() => page.url()).toContain('pr=h100-sxm-80gb:1.5');
  await expect(page.locator('td.grid__cell[data-gpu="h100-sxm-80gb"]').first()).toContainText('$1.50');
  // Tab commits the price and moves on; the re-rendered list gives focus back to where it went.
  const focused = () => page.evaluate(() => {
    const el = document.activeElement;
    return el && el.closest('.prices tr') ? `${el.tagName} ${el.closest('tr')!.getAttribute('data-gpu')}` : String(el?.tagName);
  });
  await price.press('Tab');
  await expect(prices.locator('tr[data-gpu="h100-sxm-80gb"]')).toHaveAttribute('data-edited', 'true');
  // Past the field it left: the row's new reset button or what follows, never the field again.
  await expect.poll(focused).toMatch(/^(A|BUTTON) h100-sxm-80gb$|^(A|BUTTON|INPUT) rtx-4090-24gb$/);
  const where = await focused();
  await page.waitForTimeout(300);
  expect(await focused()).toBe(where);
  // Not a dollar amount: the field keeps the text, says so, and the grid uses the catalogue's price.
  const other = prices.locator('input[name=price][data-gpu="rtx-4090-24gb"]');
  await other.fill('1x');
  await other.press('Tab');
  await expect(prices.locator('tr[data-gpu="rtx-4090-24gb"] [role=alert]')).toContainText('not a dollar amount');
  await expect(other).toHaveValue('1x');
  expect(page.url()).not.toContain('rtx-4090-24gb:');
});
