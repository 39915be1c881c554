import { test, expect, Page } from './page-checks';
import * as fs from 'fs';

// One verdict everywhere: the cell, its tooltip, the detail and the exports say the same thing,
// a cell that does not fit says why, and one click on a suggestion makes it fit.

const cell = (page: Page, model: string, format: string, gpu: string) =>
  page.locator(`tr[data-model="${model}"][data-format="${format}"] td[data-gpu="${gpu}"]`);
const MISTRAL = 'mistralai/Mistral-7B-Instruct-v0.3';

async function exported(page: Page, name: 'CSV' | 'Markdown'): Promise<string> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name }).click()]);
  return fs.readFileSync((await dl.path())!, 'utf8');
}

test('a cell that does not fit says why in the cell, tooltip, detail and exports', async ({ page }) => {
  await page.goto(`/?v=1&m=${MISTRAL}&g=rtx-3080-10gb,rtx-3070-8gb&q=int8,awq&ctx=32768`);
  const awq = cell(page, MISTRAL, 'awq', 'rtx-3080-10gb');
  // 32,768 tokens of KV (4 GiB) beside 3.9 GiB of AWQ weights and vLLM's reserves: 101 % of 9.78 GiB.
  await expect(awq).toHaveAttribute('data-fit', 'does-not-fit');
  await expect(awq.locator('.grid__pct')).toHaveText('101%');
  await expect(awq.locator('.grid__band')).toHaveText('over GPU memory');
  await awq.hover();
  const tip = page.getByTestId('tooltip');
  await expect(tip).toContainText('over GPU memory — does not fit: over the GPU\'s memory');
  await expect(tip).toContainText('0 sequences fit at this context');
  await awq.click();
  const verdict = page.getByTestId('verdict');
  await expect(verdict).toHaveAttribute('data-reason', 'over_gpu_memory');
  await expect(verdict).toContainText('does not fit — over the GPU\'s memory');
  await expect(page.getByTestId('Max concurrency at this context')).toHaveText('0');
  await expect(page.getByTestId('command')).toContainText('# does not fit: vLLM will refuse it or run out of memory.');
  const csv = await exported(page, 'CSV');
  // One line per cell: the numbers in their own columns, the reason by its id, the page's words.
  const line = csv.split('\n').find((l) => l.startsWith(`${MISTRAL},INT4 AWQ,`))!;
  expect(line).toMatch(/,does-not-fit,false,over_gpu_memory,101,\d+,101,percent,,101% over GPU memory$/);
  const md = await exported(page, 'Markdown');
  expect(md).toContain('✗ 101% over GPU memory');

  // The way to fit: two GPUs. One click makes the cell fit and lands in the link.
  const fixes = page.getByTestId('to-fit');
  await expect(fixes).toContainText('To make it fit');
  await fixes.getByRole('button', { name: '2 × RTX 3080 (tensor parallel)' }).click();
  await expect.poll(() => page.url()).toContain('tp=2');
  await expect(awq).not.toHaveAttribute('data-fit', 'does-not-fit');
  await expect(verdict).toHaveAttribute('data-reason', 'fits');

  // Cost mode uses the same rule: AWQ needs two 3080s, INT8 four.
  await page.goto(`/?v=1&m=${MISTRAL}&g=rtx-3080-10gb,rtx-3070-8gb&q=int8,awq&ctx=32768&mode=cost`);
  await expect(cell(page, MISTRAL, 'awq', 'rtx-3080-10gb').locator('.grid__pct')).toHaveText(/^2× /);
  await expect(cell(page, MISTRAL, 'int8', 'rtx-3080-10gb').locator('.grid__pct')).toHaveText(/^4× /);
});

test('a context over the model\'s limit says so, and the suggestion brings it back', async ({ page }) => {
  await page.goto('/?m=meta-llama/Llama-2-7b-hf&g=h100-sxm-80gb&q=fp16&ctx=8192'
    + '&cell=meta-llama/Llama-2-7b-hf~fp16~h100-sxm-80gb');
  const c = cell(page, 'meta-llama/Llama-2-7b-hf', 'fp16', 'h100-sxm-80gb');
  await expect(c).toHaveAttribute('data-fit', 'does-not-fit');
  await expect(c.locator('.grid__band')).toHaveText('over model context');
  await expect(page.getByTestId('verdict')).toContainText("8,192 tokens asked, the model's max_position_embeddings is 4,096");
  await expect(page.getByTestId('Max context at this concurrency')).toHaveText("4,096 tokens (the model's limit)");
  await page.getByTestId('to-fit').getByRole('button', { name: 'context 4,096 tokens' }).click();
  await expect.poll(() => page.url()).toContain('ctx=4096');
  await expect(c).toHaveAttribute('data-fit', 'safe');
});

test('modes show the band of the number they display; custom bands reach the tooltip', async ({ page }) => {
  // Llama-2-13B AWQ on an RTX 3090 at 16 × 4,096 tokens does not fit, but 16 × 1,136 tokens do.
  await page.goto('/?m=meta-llama/Llama-2-13b-hf&g=rtx-3090-24gb&q=awq&ctx=4096&n=16&mode=ctx');
  const c = cell(page, 'meta-llama/Llama-2-13b-hf', 'awq', 'rtx-3090-24gb');
  await expect(c.locator('.grid__pct')).toHaveText('1,136');
  await expect(c).not.toHaveAttribute('data-fit', 'does-not-fit');
  const band = (await c.locator('.grid__band').textContent())!;
  await c.hover();
  const tip = page.getByTestId('tooltip');
  await expect(tip).toContainText(`: ${band} — the longest context that fits at 16 sequences is 1,136 tokens`);
  await expect(tip).toContainText('As asked (16 × 4,096 tokens): does not fit: over the vLLM budget');
  // The detail says both: what the cell shows in this mode, and the asked scenario's verdict.
  await c.click();
  await expect(page.getByTestId('mode-line')).toContainText('the longest context that fits at 16 sequences is 1,136 tokens');
  await expect(page.getByTestId('verdict')).toHaveAttribute('data-reason', 'over_engine_budget');
  // Custom bands: the tooltip names the band its cell shows.
  await page.goto('/?m=meta-llama/Llama-2-13b-hf&g=rtx-3090-24gb&q=awq&ctx=1024&n=1&bands=10,20,30');
  const tight = cell(page, 'meta-llama/Llama-2-13b-hf', 'awq', 'rtx-3090-24gb');
  await expect(tight).toHaveAttribute('data-fit', 'critical');
  await tight.hover();
  await expect(page.getByTestId('tooltip')).toContainText(': critical — ');
});

test('the native row names its type; an engine that cannot load a format says what it loads', async ({ page }) => {
  await page.goto('/?m=openai/gpt-oss-120b&g=h100-sxm-80gb&q=native&ctx=4096'
    + '&cell=openai/gpt-oss-120b~native~h100-sxm-80gb');
  await expect(page.locator('tr[data-format=native] th.grid__format')).toHaveText('native (MXFP4)');
  await expect(page.locator('.detail__title')).toContainText('native (MXFP4)');
  await expect(page.getByTestId('command')).toContainText('vllm serve openai/gpt-oss-120b');
  await expect(page.getByTestId('command')).not.toContainText('replace');

  await page.goto('/?m=meta-llama/Llama-3.1-8B-Instruct&g=rtx-4090-24gb&q=awq&e=llama.cpp'
    + '&cell=meta-llama/Llama-3.1-8B-Instruct~awq~rtx-4090-24gb');
  await expect(page.getByTestId('verdict')).toContainText('GGUF Q4_K_M is its nearest equivalent');
  await page.getByTestId('to-fit').getByRole('button', { name: /GGUF Q4_K_M weights/ }).click();
  await expect.poll(() => page.url()).toContain('q4_k_m');
  // Cells say how fast they run (the planner's speed model).
  await expect(page.getByTestId('speed')).toContainText(/decode \d[\d,.]* tokens\/s per sequence/);
  await expect(cell(page, 'meta-llama/Llama-3.1-8B-Instruct', 'q4_k_m', 'rtx-4090-24gb')).toHaveAttribute('data-fit', /safe|caution|warning/);
});
