import { test, expect, Page } from './page-checks';
import * as fs from 'fs';

// Reading the grid at a glance: frozen headers, the scenario line, keyboard paths, tooltips
// that stay on screen.
const models: string[] = JSON.parse(fs.readFileSync('planner/data/models.json', 'utf8'))
  .map((m: { id: string }) => m.id)
  .slice(0, 40);
const gpus: string[] = JSON.parse(fs.readFileSync('planner/data/gpus.json', 'utf8'))
  .map((g: { id: string }) => g.id)
  .slice(0, 12);

/** The box of `selector`'s first match, or null when it is not in the page. */
async function box(page: Page, selector: string) {
  return page.locator(selector).first().boundingBox();
}

for (const [name, size] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]] as const) {
  test(`${name}: after scrolling a 40-model grid by screens, GPU headers and model/format columns stay`, async ({ page }) => {
    await page.setViewportSize(size);
    await page.goto(`/?m=${models.join(',')}&g=${gpus.join(',')}`);
    await expect(page.locator('table.grid')).toHaveAttribute('aria-rowcount', String(models.length * 4 + 1));
    await expect(page.locator('td.grid__cell').first()).toBeVisible();
    // Scroll with the wheel over the grid: the page brings the grid up, then the grid scrolls.
    const grid = page.locator('.grid-wrap');
    await grid.hover({ position: { x: size.width / 2, y: 80 } });
    // Three screens' worth: within the grid's own scroll range (its frame is one screen tall).
    for (let i = 0; i < 4; i++) {
      await page.mouse.wheel(0, 0.75 * size.height);
      await page.waitForTimeout(50);
    }
    await expect.poll(() => grid.evaluate((w) => w.scrollTop)).toBeGreaterThan(2 * size.height);
    // And sideways.
    await grid.evaluate((w) => { w.scrollLeft = 600; });
    const frame = (await grid.boundingBox())!;
    // The GPU header row is at the top of the grid's frame, on screen.
    await expect.poll(async () => (await box(page, 'th.grid__gpu'))!.y).toBeGreaterThanOrEqual(Math.max(frame.y, 0) - 1);
    const header = (await box(page, 'th.grid__gpu'))!;
    expect(header.y).toBeLessThan(Math.max(frame.y, 0) + 4);
    expect(header.y).toBeGreaterThanOrEqual(0);
    // A model cell and its format cell are at the grid's left edge, not scrolled away.
    const rowsInView = page.locator('tr.grid__row').filter({ has: page.locator('th.grid__format') });
    const format = await page.locator('th.grid__format').evaluateAll((ths) => ths
      .map((t) => t.getBoundingClientRect())
      .find((r) => r.top > 100 && r.bottom < innerHeight - 10));
    expect(format, 'a format cell on screen').toBeTruthy();
    expect(format!.left).toBeGreaterThanOrEqual(frame.x);
    expect(format!.left).toBeLessThan(frame.x + 260);
    const model = await page.locator('th.grid__model').evaluateAll((ths) => ths
      .map((t) => t.getBoundingClientRect())
      .find((r) => r.bottom > 100 && r.top < innerHeight - 10));
    expect(model, 'a model cell on screen').toBeTruthy();
    expect(Math.abs(model!.left - frame.x)).toBeLessThan(3);
    expect(await rowsInView.count()).toBeGreaterThan(5);
  });
}

test('the scenario line says what the cells assume, and opens the settings', async ({ page }) => {
  await page.goto('/?ctx=12345&n=4&tp=2&kv=fp8');
  const line = page.getByTestId('scenario');
  await expect(line).toHaveText('vLLM V1 (0.19) · 12,345 tokens × 4 · KV fp8 · TP 2 · 90 % budget · % of each GPU\'s memory used (GiB)');
  // TP in the GPU headers: each cell is two of that GPU.
  await expect(page.locator('th.grid__gpu[data-gpu="rtx-4090-24gb"]')).toContainText('2 × RTX 4090');
  // Desktop: the settings are open; the line closes and reopens them.
  await expect(page.locator('input[name=ctx]')).toBeVisible();
  await line.click();
  await expect(page.locator('input[name=ctx]')).toBeHidden();
  await line.click();
  await page.locator('input[name=ctx]').fill('8192');
  await expect(line).toContainText('8,192 tokens × 4');
});

test('keyboard: a skip link to the grid, Esc closes the detail', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('td.grid__cell').first()).toBeVisible();
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to the grid' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.locator('td.grid__cell').first()).toBeFocused();
  // The grid is one Tab stop (arrow keys move inside it).
  await expect(page.locator('td.grid__cell[tabindex="0"]')).toHaveCount(1);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('detail')).toBeVisible();
  await expect.poll(() => page.url()).toContain('cell=');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('detail')).toHaveCount(0);
  await expect(page.locator('td.grid__cell[data-c="1"]').first()).toBeFocused();
  await expect.poll(() => page.url()).not.toContain('cell=');
  // Tab leaves the grid from any cell, and Shift+Tab comes back to the cell last used.
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.closest('table.grid') === null)).toBe(true);
  await page.keyboard.press('Shift+Tab');
  await expect(page.locator('td.grid__cell[data-c="1"]').first()).toBeFocused();
  await expect(page.locator('td.grid__cell[tabindex="0"]')).toHaveCount(1);
});

test('the tooltip of the last column and the last row stays inside the window', async ({ page }) => {
  await page.setViewportSize({ width: 1000, height: 700 });
  await page.goto('/');
  const last = page.locator('tr.grid__row').last().locator('td.grid__cell').last();
  await last.scrollIntoViewIfNeeded();
  await last.hover();
  const tip = page.getByTestId('tooltip');
  await expect(tip).toBeVisible();
  const b = (await tip.boundingBox())!;
  expect(b.x).toBeGreaterThanOrEqual(0);
  expect(b.x + b.width).toBeLessThanOrEqual(1000);
  expect(b.y).toBeGreaterThanOrEqual(0);
  expect(b.y + b.height).toBeLessThanOrEqual(700);
});

test('the detail chart: labelled axes, the asked context marked, its crossing is the max context', async ({ page }) => {
  await page.goto('/?ctx=4096&n=8&m=meta-llama/Llama-2-13b-hf&q=fp16&g=l40-48gb&cell=meta-llama/Llama-2-13b-hf~fp16~l40-48gb');
  const chart = page.getByTestId('chart');
  await expect(chart).toBeVisible();
  await expect(chart.locator('text').filter({ hasText: 'memory per GPU (GiB)' })).toHaveCount(1);
  await expect(chart.locator('text').filter({ hasText: 'context (tokens)' })).toHaveCount(1);
  // Values on both axes: five context ticks, three to six round memory ticks from 0.
  const ticks = await chart.locator('.chart__tick').count();
  expect(ticks).toBeGreaterThanOrEqual(8);
  expect(ticks).toBeLessThanOrEqual(11);
  await expect(chart.locator('text').filter({ hasText: /^0$/ })).toHaveCount(2);
  await expect(chart.locator('text').filter({ hasText: /^engine budget full at [\d.]+ GiB$/ })).toHaveCount(1);
  // The asked context is marked…
  await expect(chart.locator('.chart__asked')).toHaveCount(1);
  await expect(chart.locator('text').filter({ hasText: 'asked 4,096' })).toHaveCount(1);
  // …and where the line crosses the budget is the max context the panel states.
  const max = (await page.getByTestId('Max context at this concurrency').textContent())!.match(/[\d,]+/)![0];
  await expect(chart.locator('text').filter({ hasText: `fits up to ${max} tokens` })).toHaveCount(1);
  // A point shows its value on keyboard focus (and hover).
  const point = chart.locator('.chart__pt').nth(2);
  await expect(point.locator('.chart__value')).toBeHidden();
  await point.focus();
  await expect(point.locator('.chart__value')).toBeVisible();
  await expect(point.locator('.chart__value')).toHaveText(/^[\d,]+ tokens: [\d.]+ GiB$/);
  await chart.screenshot({ path: 'artifacts/detail-chart.png' });
});

test('the detail chart has one line per format on the grid, each named where it ends', async ({ page }) => {
  await page.goto('/?ctx=4096&m=meta-llama/Llama-2-13b-hf&q=fp16,fp8,awq&g=l40-48gb&cell=meta-llama/Llama-2-13b-hf~fp16~l40-48gb');
  const chart = page.getByTestId('chart');
  await expect(chart).toBeVisible();
  // This cell's format bold, the grid's two others thin.
  await expect(chart.locator('.chart__line')).toHaveCount(1);
  await expect(chart.locator('.chart__other')).toHaveCount(2);
  const labels = await page.locator('th.grid__format').allTextContents();
  expect(labels).toHaveLength(3);
  const boxes = [];
  for (const label of labels) {
    const text = chart.locator('text.chart__label').filter({ hasText: new RegExp(`^${label.replace(/[()]/g, '\\$&')}$`) });
    await expect(text).toHaveCount(1);
    boxes.push((await text.boundingBox())!);
  }
  // The names do not overlap each other.
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i], boxes[j]];
      const apart = a.y + a.height <= b.y + 1 || b.y + b.height <= a.y + 1 || a.x + a.width <= b.x || b.x + b.width <= a.x;
      expect(apart, `${labels[i]} and ${labels[j]}`).toBe(true);
    }
  }
  await chart.screenshot({ path: 'artifacts/detail-chart-formats.png' });
});

test('a model far over its GPU: readable memory ticks, lines past the top marked, no speed chart', async ({ page }) => {
  await page.goto('/?m=meta-llama/Llama-2-70b-hf&g=rtx-4090-24gb&q=fp32,fp16,int8,awq&cell=meta-llama/Llama-2-70b-hf~awq~rtx-4090-24gb');
  const chart = page.getByTestId('chart');
  await expect(chart).toBeVisible();
  // FP32 (~260 GiB) and FP16 (~130 GiB) are past the top of a scale that holds AWQ (~37 GiB)
  // twice over; INT8 (~67 GiB) is on it.
  await expect(chart.locator('text.chart__label').filter({ hasText: /^FP32 ↑$/ })).toHaveCount(1);
  await expect(chart.locator('text.chart__label').filter({ hasText: /^FP16 ↑$/ })).toHaveCount(1);
  await expect(chart.locator('text.chart__label').filter({ hasText: /^INT8$/ })).toHaveCount(1);
  await chart.screenshot({ path: 'artifacts/detail-chart-over.png' });
  // Memory tick labels (right of nothing, left of the axis) do not overlap each other.
  const labels = chart.locator('text.chart__label[text-anchor="end"]').filter({ hasText: /^\d+(\.\d)?$/ });
  const boxes = [];
  for (let i = 0; i < await labels.count(); i++) boxes.push((await labels.nth(i).boundingBox())!);
  expect(boxes.length).toBeGreaterThanOrEqual(3);
  boxes.sort((a, b) => a.y - b.y);
  for (let i = 1; i < boxes.length; i++) expect(boxes[i].y).toBeGreaterThanOrEqual(boxes[i - 1].y + boxes[i - 1].height);
  // It does not start at any concurrency: no speed curve to draw.
  await expect(page.getByTestId('speed-chart')).toHaveCount(0);
});

test('co-location: an added model gets a share that fits; a cell taken off the grid closes its detail', async ({ page }) => {
  await page.goto('/?m=Qwen/Qwen2.5-0.5B&cell=Qwen/Qwen2.5-0.5B~fp16~l40-48gb');
  await expect(page.getByTestId('detail')).toBeVisible();
  await page.getByTestId('colo').locator('summary').click();
  await page.locator('button[name=colo-add]').click();
  await page.locator('button[name=colo-add]').click();
  await expect(page.getByTestId('colo-member')).toHaveCount(2);
  await expect(page.getByTestId('colo-verdict')).toHaveAttribute('data-fits', 'true');
  // Untick the L40: its cell's detail goes with it.
  const gpus = page.locator('details.picker[data-axis=gpus]');
  await gpus.locator('summary').click();
  await gpus.locator('input[value="l40-48gb"]').uncheck();
  await expect(page.getByTestId('detail')).toHaveCount(0);
});

test('switching engine drops a KV type the new engine does not offer', async ({ page }) => {
  await page.goto('/?kv=fp8');
  await expect(page.getByTestId('scenario')).toContainText('KV fp8');
  await page.locator('select[name=e]').selectOption('llama.cpp');
  await expect(page.getByTestId('scenario')).toContainText('KV auto');
  await expect(page.locator('select[name=kv]')).toHaveValue('auto');
  await expect(page.locator('td.grid__cell[data-fit=unsupported]')).not.toHaveCount(60);
});
