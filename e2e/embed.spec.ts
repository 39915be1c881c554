import * as fs from 'fs';
import { test, expect, Page, BrowserContext } from './page-checks';

// The embed inside a plain HTML page, as a wiki would hold it: the copied code's height fits
// what it shows, the self-resizing variant follows the grid, a click leads out.
const PORT = process.env.FITGRID_E2E_PORT ?? '8765';
const GPUS = ['rtx-3090-24gb', 'rtx-4090-24gb', 'a100-sxm4-40gb', 'l40-48gb', 'h100-sxm-80gb',
  'a10-24gb', 'l4-24gb', 'h200-141gb', 'rtx-3060-12gb', 'a100-sxm4-80gb'];
const MODELS = ['Qwen/Qwen2.5-0.5B', 'meta-llama/Llama-2-7b-hf', 'meta-llama/Llama-2-13b-hf',
  'mistralai/Mistral-7B-Instruct-v0.3', 'Qwen/Qwen2.5-7B-Instruct'];
const FORMATS = ['fp32', 'fp16', 'int8', 'awq'];

async function copiedEmbed(page: Page, context: BrowserContext, query: string, button: string) {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/?' + query);
  await expect(page.locator('td.grid__cell').first()).toBeVisible();
  await page.locator(`button[name=${button}]`).click();
  await expect(page.getByRole('status')).toContainText('copied');
  return page.evaluate(() => navigator.clipboard.readText());
}

for (const [rows, cols] of [[3, 4], [6, 8], [20, 10]]) {
  test(`the embed code's height fits a ${rows}×${cols} grid, legend and link included`, async ({ page, context }) => {
    // rows = models × formats
    const models = MODELS.slice(0, Math.max(1, rows / (rows === 3 ? 3 : rows === 6 ? 3 : 4)));
    const formats = FORMATS.slice(0, rows / models.length);
    expect(models.length * formats.length).toBe(rows);
    const q = `m=${models.join(',')}&q=${formats.join(',')}&g=${GPUS.slice(0, cols).join(',')}`;
    const code = await copiedEmbed(page, context, q, 'copy-embed');
    const height = Number(code.match(/height="(\d+)"/)![1]);
    const host = await context.newPage();
    await host.setViewportSize({ width: 1000, height: 1400 });
    await host.setContent(`<!doctype html><body style="margin:2rem"><h1>Wiki page</h1>${code}<p>after</p></body>`);
    const frame = host.frameLocator('iframe');
    await expect(frame.locator('td.grid__cell')).toHaveCount(rows * cols);
    // Nothing scrolls inside the frame: the page fits, and so does the grid.
    const inner = host.frames()[1];
    await expect.poll(() => inner.evaluate(() => document.documentElement.scrollHeight <= innerHeight)).toBe(true);
    const grid = await inner.evaluate(() => {
      const w = document.querySelector('.grid-wrap') as HTMLElement;
      return w.scrollHeight - w.clientHeight;
    });
    expect(grid).toBeLessThanOrEqual(1);
    // The scenario line, the legend and the link out are inside the frame.
    for (const el of [frame.getByTestId('scenario'), frame.locator('.legend'), frame.getByRole('link', { name: 'Open in Fitgrid' })]) {
      const b = (await el.boundingBox())!;
      const f = (await host.locator('iframe').boundingBox())!;
      expect(b.y + b.height).toBeLessThanOrEqual(f.y + f.height + 0.5);
    }
    expect(height).toBeLessThanOrEqual(1200);
    if (rows === 6) await host.screenshot({ path: 'artifacts/embed-in-page.png' });
  });
}

test('the self-resizing embed code follows the grid; a click opens the full page', async ({ page, context }) => {
  const code = await copiedEmbed(page, context, 'm=Qwen/Qwen2.5-0.5B&g=h100-sxm-80gb,l40-48gb', 'copy-embed-auto');
  expect(code).toContain(`e.origin==="http://127.0.0.1:${PORT}"`);
  // Start it far too short: the frame grows to what the embedded page reports.
  const host = await context.newPage();
  await host.setContent(`<!doctype html><body>${code.replace(/height="\d+"/, 'height="120"')}</body>`);
  await expect(host.frameLocator('iframe').locator('td.grid__cell')).toHaveCount(8);
  await expect.poll(async () => Number(await host.locator('iframe').getAttribute('height'))).toBeGreaterThan(300);
  const inner = host.frames()[1];
  await expect.poll(() => inner.evaluate(() => document.documentElement.scrollHeight <= innerHeight)).toBe(true);
  // A cell opens its detail in the full page, not in the frame.
  const [full] = await Promise.all([
    context.waitForEvent('page'),
    host.frameLocator('iframe').locator('td.grid__cell').first().click(),
  ]);
  await expect(full).toHaveURL(/cell=Qwen/);
  await expect(full).not.toHaveURL(/embed=1/);
  await expect(full.getByTestId('detail')).toBeVisible();
  await expect(host.frameLocator('iframe').getByTestId('detail')).toHaveCount(0);
});

test('the SVG image opens as an image, with its scenario line and every cell', async ({ page }) => {
  await page.goto('/?ctx=12345');
  await expect(page.locator('td.grid__cell')).toHaveCount(60);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'SVG image' }).click()]);
  const svg = fs.readFileSync((await dl.path())!, 'utf8');
  expect(svg).toContain('12,345 tokens × 1');
  // As an <img> (what a wiki that takes only images does with it).
  const img = await page.evaluate(async (text) => {
    const el = new Image();
    el.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(text);
    await el.decode();
    return { w: el.naturalWidth, h: el.naturalHeight };
  }, svg);
  expect(img.w).toBeGreaterThan(800);
  expect(img.h).toBeGreaterThan(300);
  // Shown on a page of its own, as a screenshot for the README.
  await page.goto('about:blank');
  await page.setContent(`<body>${svg}</body>`);
  await expect(page.locator('svg text').filter({ hasText: '12,345 tokens × 1' })).toHaveCount(1);
  await page.locator('svg').screenshot({ path: 'artifacts/grid-image.png' });
});

test('the PNG image is the SVG image drawn at twice its size', async ({ page }) => {
  await page.goto('/?ctx=12345');
  await expect(page.locator('td.grid__cell')).toHaveCount(60);
  const [svgDl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'SVG image' }).click()]);
  const svg = fs.readFileSync((await svgDl.path())!, 'utf8');
  const [w, h] = ['width', 'height'].map((a) => Number(svg.match(new RegExp(`<svg[^>]* ${a}="(\\d+)"`))![1]));
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'PNG image' }).click()]);
  expect(dl.suggestedFilename()).toBe('fitgrid.png');
  const png = fs.readFileSync((await dl.path())!);
  // The PNG signature, then the IHDR chunk's width and height.
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([2 * w, 2 * h]);
  // Drawn, not blank: the cells' band colours and the text make many distinct colours.
  const colours = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const c = document.createElement('canvas');
    [c.width, c.height] = [img.naturalWidth, img.naturalHeight];
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 4 * 97) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return seen.size;
  }, png.toString('base64'));
  expect(colours).toBeGreaterThan(8);
});
