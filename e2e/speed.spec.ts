import { test, expect, Page } from './page-checks';

// How fast: the Speed mode with the user's target in the link, the detail's speed line and
// chart, and llama.cpp's offload to system RAM (its own symbol and word, its speed, its flags).

const cell = (page: Page, model: string, format: string, gpu: string) =>
  page.locator(`tr[data-model="${model}"][data-format="${format}"] td[data-gpu="${gpu}"]`);
const LLAMA = 'meta-llama/Llama-3.1-8B-Instruct';
const QWEN = 'Qwen/Qwen3-30B-A3B';

test('speed mode: tokens/s per user against the target in the link, per engine', async ({ page }) => {
  await page.goto(`/?m=${LLAMA}&g=rtx-4090-24gb,h100-sxm-80gb&q=q4_k_m,fp16&e=llama.cpp&n=4`);
  const c = cell(page, LLAMA, 'q4_k_m', 'rtx-4090-24gb');
  await expect(c).toHaveAttribute('data-fit', /safe|caution|warning|critical/);
  await page.locator('select[name=mode]').selectOption('speed');
  await expect.poll(() => page.url()).toContain('mode=speed');
  // Per user, then the total for the 4 sequences; at least 20 tokens/s: fast enough.
  await expect(c.locator('.grid__pct')).toHaveText(/^\d[\d,.]* t\/s · \d[\d,.]*$/);
  await expect(c).toHaveAttribute('data-fit', 'fast');
  await expect(c.locator('.grid__band')).toHaveText('fast enough');
  const legend = page.getByRole('list', { name: 'Legend' });
  await expect(legend).toContainText('tokens/s per user');
  // A target no cell reaches: every fitting cell turns "too slow", and the link keeps it.
  const target = page.locator('input[name=tps]');
  await target.fill('5000');
  await target.dispatchEvent('change');
  await expect.poll(() => page.url()).toContain('tps=5000');
  await expect(c).toHaveAttribute('data-fit', 'slow');
  await expect(c.locator('.grid__symbol')).toHaveText('▽');
  await page.reload();
  await expect(c).toHaveAttribute('data-fit', 'slow');
  await expect(page.locator('input[name=tps]')).toHaveValue('5000');

  // vLLM has a decode figure too (its measured efficiency), and the detail draws speed
  // against concurrency with the target marked.
  await page.goto(`/?m=${LLAMA}&g=h100-sxm-80gb&q=fp16&mode=speed&cell=${LLAMA}~fp16~h100-sxm-80gb`);
  const v = cell(page, LLAMA, 'fp16', 'h100-sxm-80gb');
  await expect(v.locator('.grid__pct')).toHaveText(/^1\d\d(\.\d)? t\/s$/);
  await expect(page.getByTestId('speed')).toContainText(/decode 1\d\d(\.\d)? tokens\/s per sequence at 2,048 tokens deep/);
  const chart = page.getByTestId('speed-chart');
  await expect(chart.locator('.chart__line')).toHaveAttribute('points', /\d/);
  await expect(chart).toContainText('target 20 tokens/s');
});

test('offload: with system RAM given, llama.cpp keeps experts in RAM and the cell says so', async ({ page }) => {
  const base = `/?m=${QWEN}&g=rtx-3060-12gb&q=q4_k_m&e=llama.cpp&cell=${QWEN}~q4_k_m~rtx-3060-12gb`;
  await page.goto(base);
  const c = cell(page, QWEN, 'q4_k_m', 'rtx-3060-12gb');
  // ~17 GiB of weights on a 12 GB card: no fit on the GPU alone.
  await expect(c).toHaveAttribute('data-fit', 'does-not-fit');
  await page.locator('input[name=ram]').fill('64');
  await expect.poll(() => page.url()).toContain('ram=64');
  await expect(c).toHaveAttribute('data-fit', 'offload');
  await expect(c.locator('.grid__symbol')).toHaveText('⇅');
  await expect(c.locator('.grid__band')).toHaveText('offload to RAM');
  await expect(page.getByTestId('verdict')).toContainText(/fits with offload: .* in system RAM: --n-cpu-moe \d+/);
  await expect(page.getByTestId('command')).toContainText(/--n-cpu-moe \d+/);
  // No RAM bandwidth: no speed claimed for the part in RAM; with it, a figure.
  await expect(page.getByTestId('speed')).toContainText('give the system RAM bandwidth');
  await page.locator('input[name=rambw]').fill('90');
  await expect.poll(() => page.url()).toContain('rambw=90');
  await expect(page.getByTestId('speed')).toContainText(/decode \d+(\.\d+)? tokens\/s per sequence/);
  await page.locator('select[name=mode]').selectOption('speed');
  await expect(c.locator('.grid__band')).toHaveText(/offload to RAM, (fast enough|too slow)/);
  // The speed's symbol, and the offload symbol in the number (both stay where words are hidden).
  await expect(c.locator('.grid__symbol')).toHaveText(/[»▽]/);
  await expect(c.locator('.grid__pct')).toHaveText(/^\d[\d,.]* t\/s ⇅$/);
  // The detail states the speed once (no "In this mode" line repeating it).
  await expect(page.getByTestId('speed')).toHaveCount(1);
  await expect(page.getByTestId('mode-line')).toHaveCount(0);
  // Too little RAM for the rest: it does not fit, and says why.
  await page.goto(base + '&ram=4');
  await expect(c).toHaveAttribute('data-fit', 'does-not-fit');
  await expect(c.locator('.grid__band')).toHaveText('over system RAM');
});
