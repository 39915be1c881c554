import { test, expect, Page } from './page-checks';
import * as fs from 'fs';

test.beforeEach(() => {
  fs.mkdirSync('artifacts', { recursive: true });
});

const cells = (page: Page) => page.locator('td.grid__cell');
async function snapshot(page: Page): Promise<string[]> {
  return cells(page).evaluateAll((tds) =>
    tds.map((td) => `${td.getAttribute('data-fit')}|${td.querySelector('.grid__pct')?.textContent ?? ''}`));
}
const gpuOrder = (page: Page) => page.locator('th.grid__gpu').evaluateAll((ths) => ths.map((t) => t.getAttribute('data-gpu')));

test('headers stay visible while scrolling', async ({ page }) => {
  await page.goto('/');
  const pos = await page.locator('th.grid__gpu').first().evaluate((el) => getComputedStyle(el).position);
  expect(pos).toBe('sticky');
  const model = await page.locator('th.grid__model').first().evaluate((el) => getComputedStyle(el).position);
  expect(model).toBe('sticky');
});

test('sort by size and by fit reorders, and is in the URL', async ({ page }) => {
  await page.goto('/?g=h100-sxm-80gb,rtx-3090-24gb,l40-48gb');
  await expect.poll(() => gpuOrder(page)).toEqual(['h100-sxm-80gb', 'rtx-3090-24gb', 'l40-48gb']);
  await page.locator('select[name=sort]').selectOption('size');
  await expect.poll(() => gpuOrder(page)).toEqual(['rtx-3090-24gb', 'l40-48gb', 'h100-sxm-80gb']);
  await expect.poll(() => page.url()).toContain('sort=size');
  await page.locator('select[name=sort]').selectOption('fit');
  // The H100 fits the most rows, the RTX 3090 the fewest.
  await expect.poll(() => gpuOrder(page)).toEqual(['h100-sxm-80gb', 'l40-48gb', 'rtx-3090-24gb']);
  const models = await page.locator('th.grid__model').allTextContents();
  expect(models[0]).toBe('Qwen2.5-0.5B');
});

test('a tooltip with the numbers shows on hover and on keyboard focus', async ({ page }) => {
  await page.goto('/');
  const tip = page.getByTestId('tooltip');
  await expect(tip).toBeHidden();
  await cells(page).first().focus();
  await expect(tip).toBeVisible();
  await expect(tip).toContainText('Qwen2.5-0.5B FP32 on RTX 3090');
  await expect(tip).toContainText('Weights');
  await expect(tip).toContainText('KV capacity');
  await cells(page).nth(7).hover();
  await expect(tip).toContainText('Qwen2.5-0.5B FP16 on A100 40GB');
  await page.mouse.move(0, 0);
  await page.locator('h1').click();
  await expect(tip).toBeHidden();
});

test('arrow keys move through the grid; Enter opens the detail', async ({ page }) => {
  await page.goto('/');
  await cells(page).first().focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.locator('td.grid__cell:focus')).toHaveAttribute('data-c', '1');
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('td.grid__cell:focus')).toHaveAttribute('data-r', '1');
  await page.keyboard.press('End');
  await expect(page.locator('td.grid__cell:focus')).toHaveAttribute('data-c', '4');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('detail')).toBeVisible();
  await expect.poll(() => page.url()).toContain('cell=Qwen/Qwen2.5-0.5B~fp16~h100-sxm-80gb');
});

test('cell detail: breakdown, budget, numbers, notes and a memory-vs-context chart', async ({ page }) => {
  await page.goto('/?ctx=4096');
  await page.locator('tr[data-model="meta-llama/Llama-2-13b-hf"][data-format="fp16"] td[data-gpu="l40-48gb"]').click();
  const d = page.getByTestId('detail');
  await expect(d).toContainText('Llama-2-13b-hf · FP16 · L40');
  for (const part of ['weights', 'kv', 'activation', 'overhead']) {
    await expect(d.locator(`.bar__part[data-part=${part}]`)).toHaveCount(1);
  }
  await expect(d.locator('.bar__budget')).toHaveCount(1);
  await expect(d.getByTestId('KV capacity')).toContainText('tokens');
  await expect(d.getByTestId('Max context at this concurrency')).toContainText('tokens');
  await expect(d.locator('.detail__notes li').first()).toBeVisible();
  const chart = d.getByTestId('chart');
  await expect(chart.locator('.chart__line')).toHaveCount(1);
  await expect(chart.locator('.chart__limit')).toHaveCount(1);
  // Llama-2's 4,096-token maximum is reachable on an L40, so the line stays under the limit…
  await page.locator('tr[data-model="meta-llama/Llama-2-13b-hf"][data-format="fp16"] td[data-gpu="rtx-4090-24gb"]').click();
  await expect(d).toContainText('RTX 4090');
  // …and a reload restores the open detail from the URL.
  await expect.poll(() => page.url()).toContain('cell=meta-llama/Llama-2-13b-hf~fp16~rtx-4090-24gb');
  await page.reload();
  await expect(page.getByTestId('detail')).toContainText('RTX 4090');
  await page.getByRole('button', { name: 'Close detail' }).click();
  await expect(page.getByTestId('detail')).toHaveCount(0);
  await expect.poll(() => page.url()).not.toContain('cell=');
});

test('grid modes show max context and max concurrency', async ({ page }) => {
  await page.goto('/?m=meta-llama/Llama-2-7b-hf&q=fp16&g=h100-sxm-80gb');
  await expect(cells(page).locator('.grid__pct')).toHaveText(/\d+%/);
  await page.locator('select[name=mode]').selectOption('ctx');
  // Capped at the model maximum, and saying so.
  await expect(cells(page).locator('.grid__pct')).toHaveText('4,096 (model max)');
  await page.locator('select[name=mode]').selectOption('conc');
  await expect.poll(() => page.url()).toContain('mode=conc');
  await expect(cells(page).locator('.grid__pct')).not.toHaveText('4,096 (model max)');
  const conc = Number((await cells(page).locator('.grid__pct').textContent())!.replace(/,/g, ''));
  expect(conc).toBeGreaterThan(10);
  await expect.poll(() => page.url()).toContain('mode=conc');
});

test('editable band thresholds recolour the grid and live in the URL', async ({ page }) => {
  await page.goto('/');
  await expect(cells(page)).toHaveCount(60);
  const before = await snapshot(page);
  expect(before.filter((s) => s.startsWith('safe')).length).toBeGreaterThan(30);
  const caution = page.locator('input[name=caution]');
  await caution.fill('5');
  await caution.press('Enter');
  // Every cell uses at least 6 % of its GPU, so nothing is "safe" below 5 %.
  await expect.poll(async () => (await snapshot(page)).filter((s) => s.startsWith('safe')).length).toBe(0);
  await expect.poll(() => page.url()).toContain('bands=5,75,90');
  // Non-increasing thresholds are refused, and the field says so and shows the value in effect.
  const warning = page.locator('input[name=warning]');
  await warning.fill('5');
  await warning.press('Enter');
  await expect(warning).toHaveValue('75');
  expect(await warning.evaluate((e) => (e as HTMLInputElement).validationMessage)).toContain('bands must rise');
  await expect.poll(() => page.url()).toContain('bands=5,75,90');
  await warning.fill('80');
  await warning.press('Enter');
  await expect.poll(() => page.url()).toContain('bands=5,80,90');
  expect(await warning.evaluate((e) => (e as HTMLInputElement).validationMessage)).toBe('');
});

test('units switch between GiB and GB', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('th.grid__gpu[data-gpu="h100-sxm-80gb"] .grid__gpu-mem')).toHaveText('79.19 GiB');
  await page.locator('button[name=units]').click();
  await expect(page.locator('th.grid__gpu[data-gpu="h100-sxm-80gb"] .grid__gpu-mem')).toHaveText('85.03 GB');
  await expect.poll(() => page.url()).toContain('u=gb');
});

test('copy link reproduces the exact view in a new page', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/?ctx=8192&n=3&sort=size&mode=ctx');
  await page.locator('select[name=kv]').selectOption('fp8');
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.getByRole('status')).toHaveText('Link copied');
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toContain('v=1');
  expect(link).toContain('kv=fp8');
  await expect(cells(page)).toHaveCount(60);
  const view = await snapshot(page);
  const other = await context.newPage();
  await other.goto(link);
  await expect(cells(other)).toHaveCount(60);
  expect(await snapshot(other)).toEqual(view);
  expect(await gpuOrder(other)).toEqual(await gpuOrder(page));
});

test('embed: compact grid without controls, and a copyable iframe snippet', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/?ctx=4096');
  await page.getByRole('button', { name: 'Copy embed code' }).click();
  await expect(page.getByRole('status')).toHaveText('Embed code copied');
  const snippet = await page.evaluate(() => navigator.clipboard.readText());
  expect(snippet).toMatch(new RegExp(`^<iframe src="http://127\\.0\\.0\\.1:${process.env.FITGRID_E2E_PORT ?? 8765}/\\?[^"]*embed=1`));
  const src = snippet.match(/src="([^"]+)"/)![1].replace(/&amp;/g, '&');
  const embed = await context.newPage();
  await embed.setViewportSize({ width: 900, height: 520 });
  await embed.goto(src);
  await expect(embed.locator('td.grid__cell')).toHaveCount(60);
  await expect(embed.locator('.controls')).toBeHidden();
  await expect(embed.locator('.toolbar')).toHaveCount(0);
  await expect(embed.locator('.contents')).toBeHidden();
  // The scenario line, which cannot open the settings there.
  await expect(embed.getByTestId('scenario')).toContainText('4,096 tokens × 1');
  await expect(embed.getByRole('link', { name: 'Open in Fitgrid' })).toHaveAttribute('href', /ctx=4096/);
  await embed.screenshot({ path: 'artifacts/embed.png', fullPage: true });
});

test('CSV and Markdown exports match the grid', async ({ page }) => {
  await page.goto('/?mode=ctx');
  // Web-first: wait for the rendered grid before reading it (a busy machine renders late).
  await expect(cells(page)).toHaveCount(60);
  const shown = await cells(page).evaluateAll((tds) => tds.map((td) =>
    `${td.querySelector('.grid__pct')?.textContent} ${td.querySelector('.grid__band')?.textContent}`));
  const [csvDl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'CSV' }).click()]);
  const csv = fs.readFileSync((await csvDl.path())!, 'utf8');
  const parse = (line: string) => line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!
    .map((f) => f.replace(/,$/, '').replace(/^"|"$/g, '').replace(/""/g, '"'));
  const lines = csv.trim().split('\n');
  // The header block (scenario, bands, link back), the column names, then one line per cell.
  expect(lines[0]).toContain('# Fitgrid · vLLM V1 (0.19) · 2,048 tokens × 1');
  expect(lines[2]).toMatch(/^"?# Open in Fitgrid: http.*mode=ctx/);
  const head = parse(lines[3]);
  expect(lines.length).toBe(4 + 60);
  const fromCsv = lines.slice(4).map((r) => parse(r)[head.indexOf('shown')]);
  expect(fromCsv).toEqual(shown);
  const [mdDl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Markdown' }).click()]);
  const md = fs.readFileSync((await mdDl.path())!, 'utf8');
  const mdRows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Model'));
  const fromMd = mdRows.flatMap((r) => r.split('|').slice(3, -1).map((c) => c.trim().replace(/^\S+ /, '')));
  expect(fromMd).toEqual(shown);
  expect(md.split('\n')[0]).toContain('**Fitgrid · vLLM V1 \\(0.19\\) · 2,048 tokens × 1');
  expect(md).toMatch(/\[Open in Fitgrid\]\(http[^)]*mode=ctx[^)]*\)\n$/);
});

test('the CSV of ?ctx=12345 names its scenario and has numeric columns', async ({ page }) => {
  await page.goto('/?ctx=12345');
  await expect(cells(page)).toHaveCount(60);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'CSV' }).click()]);
  const lines = fs.readFileSync((await dl.path())!, 'utf8').trim().split('\n');
  expect(lines[0]).toContain('12,345 tokens × 1');
  const head = lines[3].split(',');
  for (const c of ['percent', 'total_bytes', 'value', 'band', 'fits']) expect(head).toContain(c);
  const first = lines[4].split(',');
  for (const c of ['percent', 'total_bytes', 'value', 'gpu_memory_bytes']) {
    expect(Number(first[head.indexOf(c)]), c).toBeGreaterThan(0);
  }
  // The number the page shows is the number in the file.
  const pct = await cells(page).first().locator('.grid__pct').textContent();
  expect(`${first[head.indexOf('percent')]}%`).toBe(pct);
});

test('dark mode follows the system and has a toggle; screenshots', async ({ page }) => {
  await page.goto('/');
  await page.screenshot({ path: 'artifacts/light.png', fullPage: true });
  const bg = () => page.locator('.app').evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(await bg()).toBe('rgb(255, 255, 255)');
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect.poll(bg).toBe('rgb(20, 23, 26)');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.locator('button[name=theme]').click(); // auto → dark
  await expect(page.locator('.app')).toHaveAttribute('data-theme', 'dark');
  await expect.poll(bg).toBe('rgb(20, 23, 26)');
  await expect.poll(() => page.url()).toContain('theme=dark');
  await page.locator('tr[data-model="meta-llama/Llama-2-7b-hf"][data-format="fp16"] td[data-gpu="l40-48gb"]').click();
  await page.screenshot({ path: 'artifacts/dark.png', fullPage: true });
});

test('works on a phone', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/');
  await expect(cells(page)).toHaveCount(60);
  // The page itself never scrolls sideways; the grid scrolls inside its frame.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  // The first grid cell is on the first screen: the settings wait behind the scenario line.
  await expect(page.getByTestId('scenario')).toContainText('vLLM V1 (0.19) · 2,048 tokens × 1');
  const first = await cells(page).first().boundingBox();
  expect(first!.y + first!.height).toBeLessThanOrEqual(844);
  await expect(page.locator('input[name=ctx]')).toBeHidden();
  // The search box is there without opening the settings.
  await expect(page.getByRole('search').locator('input')).toBeVisible();
  await page.screenshot({ path: 'artifacts/phone.png', fullPage: true });
  await page.getByTestId('scenario').click();
  await expect(page.locator('input[name=ctx]')).toBeVisible();
});

test('print shows the grid without controls', async ({ page }) => {
  await page.goto('/');
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.controls')).toBeHidden();
  await expect(page.locator('.toolbar')).toBeHidden();
  await expect(page.locator('table.grid')).toBeVisible();
  // The scenario line prints above the grid; the bars and buttons of the page do not.
  await expect(page.getByTestId('scenario')).toBeVisible();
  await expect(page.getByTestId('scenario')).toContainText('2,048 tokens × 1');
  for (const sel of ['.byo', '.colo', '.contents', '.skip-link', '.setup__toggle']) {
    await expect(page.locator(sel).first()).toBeHidden();
  }
  await page.screenshot({ path: 'artifacts/print.png', fullPage: true });
  await page.locator('td.grid__cell').first().click();
  await expect(page.getByTestId('detail')).toBeVisible();
  await expect(page.locator('button[name=copy-command]')).toBeHidden();
  await page.pdf({ path: 'artifacts/print.pdf' });
});
