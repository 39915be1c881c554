import { test, expect, Page } from './page-checks';
import * as fs from 'fs';

const BANDS = ['safe', 'caution', 'warning', 'critical', 'does-not-fit', 'unsupported'];

// Every test fails on a console error, an uncaught exception or the panic banner (page-checks.ts).

const cells = (page: Page) => page.locator('td.grid__cell');

/** The visible state of the grid: band + percentage of every cell, in order. */
async function snapshot(page: Page): Promise<string[]> {
  return cells(page).evaluateAll((tds) =>
    tds.map((td) => `${td.getAttribute('data-fit')}|${td.querySelector('.grid__pct')?.textContent ?? ''}`));
}

test('renders the seed-study grid with a band, symbol and number in every cell', async ({ page }) => {
  await page.goto('/');
  await expect(cells(page)).toHaveCount(60); // 3 models × 4 formats × 5 GPUs
  const fits = await cells(page).evaluateAll((tds) => tds.map((td) => td.getAttribute('data-fit')));
  for (const f of fits) expect(BANDS).toContain(f);
  // Colour is never alone: each cell has a symbol and a percentage as text.
  const texts = await cells(page).allTextContents();
  for (const t of texts) expect(t).toMatch(/^[✓◐▲‼✗]\d+%/);
  // The seed models and GPUs are there.
  await expect(page.locator('th.grid__model')).toHaveText(['Qwen2.5-0.5B', 'Llama-2-7b-hf', 'Llama-2-13b-hf']);
  await expect(page.locator('th.grid__gpu')).toHaveCount(5);
  // Physics sanity visible to a user: Llama-2-13B in FP32 (52 GB of weights) cannot fit a 24 GB card.
  const cell = page.locator('tr[data-model="meta-llama/Llama-2-13b-hf"][data-format="fp32"] td[data-gpu="rtx-4090-24gb"]');
  await expect(cell).toHaveAttribute('data-fit', 'does-not-fit');
  fs.mkdirSync('artifacts', { recursive: true });
  await page.screenshot({ path: 'artifacts/grid.png', fullPage: true });
});

test('changing a control changes cells and the URL', async ({ page }) => {
  await page.goto('/');
  await expect(cells(page)).toHaveCount(60);
  const before = await snapshot(page);
  const historyBefore = await page.evaluate(() => history.length);
  await page.locator('input[name=ctx]').fill('32768');
  await expect.poll(() => snapshot(page)).not.toEqual(before);
  await expect.poll(() => page.url()).toContain('ctx=32768');
  await page.locator('select[name=e]').selectOption('llama.cpp');
  await expect.poll(() => page.url()).toContain('e=llama.cpp');
  // llama.cpp does not load AWQ/INT8 safetensors: those cells say so instead of a number.
  await expect(page.locator('tr[data-format="awq"] td[data-fit="unsupported"]').first()).toBeVisible();
  await page.locator('select[name=kv]').selectOption('q8_0');
  await page.locator('input[name=n]').fill('4');
  await expect.poll(() => page.url()).toContain('kv=q8_0');
  await expect.poll(() => page.url()).toContain('n=4');
  // Edits replace the URL instead of pushing: no history entry per keystroke.
  expect(await page.evaluate(() => history.length)).toBe(historyBefore);
});

test('reload and a pasted link restore the exact view', async ({ page, context }) => {
  await page.goto('/');
  await page.locator('input[name=ctx]').fill('16384');
  await page.locator('input[name=n]').fill('8');
  await page.locator('select[name=kv]').selectOption('fp8');
  await page.locator('select[name=e]').selectOption('sglang');
  await expect.poll(() => page.url()).toContain('e=sglang');
  await expect.poll(() => page.url()).toContain('n=8');
  await expect(cells(page)).toHaveCount(60);
  const view = await snapshot(page);
  const link = page.url();

  await page.reload();
  await expect(page.locator('input[name=ctx]')).toHaveValue('16384');
  await expect(page.locator('input[name=n]')).toHaveValue('8');
  await expect(page.locator('select[name=kv]')).toHaveValue('fp8');
  await expect(page.locator('select[name=e]')).toHaveValue('sglang');
  await expect(cells(page)).toHaveCount(60);
  expect(await snapshot(page)).toEqual(view);

  const other = await context.newPage();
  await other.goto(link);
  await expect(cells(other)).toHaveCount(60);
  expect(await snapshot(other)).toEqual(view);
  await expect(other.locator('[data-testid=notice]')).toHaveCount(0);
});

test('mangled values fall back per field, each named in a dismissible notice', async ({ page }) => {
  await page.goto('/?ctx=12abc&n=-3&kv=fp7&e=tgi&g=rtx-9999,h100-sxm-80gb&q=int4,zz&bogus=1');
  const notices = page.locator('[data-testid=notice]');
  await expect(notices).toHaveCount(7);
  const fields = await notices.evaluateAll((ns) => ns.map((n) => n.getAttribute('data-field')));
  expect(fields.sort()).toEqual(['bogus', 'ctx', 'e', 'g', 'kv', 'n', 'q'].sort());
  await expect(notices.filter({ hasText: 'context length' })).toContainText('12abc');
  // Defaults took over where the value was unusable; the valid parts were kept.
  await expect(page.locator('input[name=ctx]')).toHaveValue('2048');
  await expect(page.locator('select[name=e]')).toHaveValue('vllm');
  await expect(page.locator('th.grid__gpu')).toHaveCount(1);
  await expect(cells(page)).toHaveCount(3); // 3 models × INT4 × H100
  // The grid still works after the bad link.
  await page.locator('input[name=ctx]').fill('4096');
  await expect.poll(() => page.url()).toContain('ctx=4096');
  // Dismissing removes a notice.
  await notices.first().getByRole('button', { name: 'Dismiss' }).click();
  await expect(notices).toHaveCount(6);
});

test('names from a link are shown as text, never as HTML', async ({ page }) => {
  let dialogs = 0;
  page.on('dialog', (d) => { dialogs++; d.dismiss(); });
  await page.goto('/?m=' + encodeURIComponent('<img src=x onerror=alert(1)>,javascript:alert(2)'));
  await expect(page.locator('[data-testid=notice]')).toContainText('<img src=x onerror=alert(1)>');
  await expect(page.locator('.notices img')).toHaveCount(0);
  await expect(cells(page)).toHaveCount(60); // unknown models dropped → default models
  expect(dialogs).toBe(0);
});

test('tensor parallelism and the vLLM budget are controls too', async ({ page }) => {
  await page.goto('/');
  const cell = page.locator('tr[data-model="meta-llama/Llama-2-13b-hf"][data-format="fp16"] td[data-gpu="rtx-4090-24gb"]');
  await expect(cell).toHaveAttribute('data-fit', 'does-not-fit');
  await page.locator('select[name=tp]').selectOption('2');
  await expect(cell).not.toHaveAttribute('data-fit', 'does-not-fit'); // half the weights per GPU
  await expect.poll(() => page.url()).toContain('tp=2');
  // Qwen2.5-0.5B has 14 attention heads: TP 4 cannot shard it, and the cell says so.
  await page.locator('select[name=tp]').selectOption('4');
  await expect(page.locator('tr[data-model="Qwen/Qwen2.5-0.5B"] td[data-fit=unsupported]')).toHaveCount(20);
  await page.locator('select[name=tp]').selectOption('1');
  // A smaller vLLM budget turns tight cells into does-not-fit.
  const tight = page.locator('tr[data-model="meta-llama/Llama-2-13b-hf"][data-format="fp32"] td[data-gpu="h100-sxm-80gb"]');
  await expect(tight).not.toHaveAttribute('data-fit', 'does-not-fit');
  await page.locator('input[name=util]').fill('50');
  await expect(tight).toHaveAttribute('data-fit', 'does-not-fit');
  await expect.poll(() => page.url()).toContain('util=50');
});
