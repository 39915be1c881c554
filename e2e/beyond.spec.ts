import { test, expect } from './page-checks';
import * as fs from 'fs';

// Issue 8: co-located models, cost, launch commands. Expected figures are worked by hand from
// the engines' rules and the data files (GPU bytes, published prices), not read from the app.

const gpus: { id: string; memory_bytes: number }[] = JSON.parse(fs.readFileSync('planner/data/gpus.json', 'utf8'));
const bytesOf = (id: string) => gpus.find((g) => g.id === id)!.memory_bytes;
const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;

test('co-location: two vLLM instances share a GPU by their fractions, in the URL', async ({ page }) => {
  await page.goto('/');
  const panel = page.getByTestId('colo');
  await panel.locator('summary').click();
  await page.locator('button[name=colo-example]').click();
  await expect(page.getByTestId('colo-member')).toHaveCount(2);
  const verdict = page.getByTestId('colo-verdict');
  await expect(verdict).toHaveAttribute('data-fits', 'true');
  // vLLM holds fraction × total plus CUDA context (0.5 GiB) and CUDA graphs (1 GiB) per
  // instance: 0.6 and 0.3 of the H100 NVL's bytes.
  const total = bytesOf('h100-nvl-94gb');
  const held = Math.floor(total * 0.6) + 1.5 * 2 ** 30 + Math.floor(total * 0.3) + 1.5 * 2 ** 30;
  await expect(verdict).toContainText(`✓ Fits on H100 NVL: ${gib(held)} of ${gib(total)} held, ${gib(total - held)} headroom`);
  // One launch command per model, each with its own fraction and port.
  await page.locator('.colo__commands summary').click();
  const commands = page.getByTestId('colo-commands');
  await expect(commands).toContainText('vllm serve Qwen/Qwen2.5-Coder-32B-Instruct');
  await expect(commands).toContainText('--gpu-memory-utilization 0.6 \\\n  --port 8000');
  await expect(commands).toContainText('--gpu-memory-utilization 0.3 \\\n  --port 8001');
  await expect.poll(() => page.url()).toContain('co=Qwen/Qwen2.5-Coder-32B-Instruct~awq~vllm~4096~1~auto~60');
  expect(page.url()).toContain('cog=h100-nvl-94gb');

  // Raising the second fraction to 40 % asks for more than is left: vLLM refuses to start.
  await page.locator('input[name=colo-frac]').nth(1).fill('40');
  await expect(verdict).toHaveAttribute('data-fits', 'false');
  await expect(verdict).toContainText('refuses to start');
  await expect.poll(() => page.url()).toContain('~auto~40');

  // The link reproduces the set.
  const link = page.url();
  const again = await page.context().newPage();
  await again.goto(link);
  await expect(again.getByTestId('colo-member')).toHaveCount(2);
  await expect(again.getByTestId('colo-verdict')).toHaveAttribute('data-fits', 'false');
  await again.close();

  // Removing a member frees its share.
  await page.locator('button[name=colo-remove]').nth(1).click();
  await expect(page.getByTestId('colo-member')).toHaveCount(1);
  await expect(verdict).toHaveAttribute('data-fits', 'true');
});

test('co-location: llama.cpp members take what they need; bad members in a link are named', async ({ page }) => {
  await page.goto('/?cog=rtx-4090-24gb&co=meta-llama/Llama-2-7b-hf~q4_k_m~llama.cpp~4096~1~auto~45'
    + '&co=meta-llama/Llama-2-7b-hf~q4_k_m~llama.cpp~4096~1~auto~45&co=nobody/none~awq~vllm~1~1~auto~50');
  await expect(page.getByTestId('notice').filter({ hasText: 'nobody/none' })).toBeVisible();
  await expect(page.getByTestId('colo-member')).toHaveCount(2);
  await expect(page.getByTestId('colo-verdict')).toHaveAttribute('data-fits', 'true');
  // No memory-fraction input for llama.cpp.
  await expect(page.locator('input[name=colo-frac]')).toHaveCount(0);
});

test('cost mode: fewest GPUs and their price per cell, cheapest per model, editable prices', async ({ page }) => {
  await page.goto('/?m=meta-llama/Llama-2-13b-hf&g=rtx-4090-24gb,h100-sxm-80gb&q=fp16&ctx=4096');
  await page.locator('select[name=mode]').selectOption('cost');
  await expect.poll(() => page.url()).toContain('mode=cost');
  // The mode picks the GPU count per cell, so the TP control is not offered.
  await expect(page.locator('select[name=tp]')).toBeDisabled();
  const cell = (gpu: string) => page.locator(`td.grid__cell[data-gpu="${gpu}"] .grid__pct`);
  // 13B fp16 is 26 GB of weights: two 24 GB RTX 4090s (TP 2, $0.50 each, Hyperbolic) or one
  // H100 ($3.49, RunPod).
  await expect(cell('rtx-4090-24gb')).toHaveText('2× $1.00/h');
  await expect(cell('h100-sxm-80gb')).toHaveText('$3.49/h');
  // Over every priced GPU: one 48 GB A40 at $0.44 beats two RTX 3090s at 2 × $0.30.
  await expect(page.getByTestId('cheapest')).toHaveText('cheapest of all priced GPUs: 1 × A40 · FP16 · $0.44/h');
  // The price list names the source and date.
  const prices = page.getByTestId('prices');
  const h100 = prices.locator('tr[data-gpu="h100-sxm-80gb"]');
  await expect(h100.locator('a')).toHaveText('RunPod');
  await expect(h100).toContainText('as of 2026-10-07');
  // A price of your own changes the cells, the cheapest, and the link.
  await h100.locator('input').fill('0.2');
  await h100.locator('input').press('Enter');
  await h100.locator('input').blur();
  await expect(cell('h100-sxm-80gb')).toHaveText('$0.20/h');
  await expect(page.getByTestId('cheapest')).toHaveText('cheapest of all priced GPUs: 1 × H100 80GB · FP16 · $0.20/h');
  await expect(h100).toHaveAttribute('data-edited', 'true');
  await expect.poll(() => page.url()).toContain('pr=h100-sxm-80gb:0.2');
  // Junk is refused with a message; the catalogue's price stays in use.
  const input4090 = prices.locator('tr[data-gpu="rtx-4090-24gb"] input');
  await input4090.fill('abc');
  await input4090.blur();
  await expect(prices.locator('tr[data-gpu="rtx-4090-24gb"] [role=alert]')).toBeVisible();
  await expect(cell('rtx-4090-24gb')).toHaveText('2× $1.00/h');
  // The detail of a cost cell is the multi-GPU configuration, with its price and source.
  await page.locator('td.grid__cell[data-gpu="rtx-4090-24gb"]').click();
  await expect(page.locator('.detail__title')).toHaveText('Llama-2-13b-hf · FP16 · 2 × RTX 4090');
  await expect(page.getByTestId('price')).toContainText('2 × $0.50/h = $1.00/h · Hyperbolic');
  await expect(page.getByTestId('command')).toContainText('--tensor-parallel-size 2');
});

test('each cell offers the launch command that realises its plan, copyable', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/?m=meta-llama/Llama-2-7b-hf&g=h100-sxm-80gb&q=fp8,q4_k_m&ctx=4096&kv=fp8&util=85'
    + '&cell=meta-llama/Llama-2-7b-hf~fp8~h100-sxm-80gb');
  const command = page.getByTestId('command');
  const vllm = 'vllm serve meta-llama/Llama-2-7b-hf \\\n  --max-model-len 4096 \\\n  --gpu-memory-utilization 0.85'
    + ' \\\n  --quantization fp8 \\\n  --kv-cache-dtype fp8';
  await expect(command).toHaveText(vllm);
  await page.locator('button[name=copy-command]').click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(vllm);

  await page.locator('select[name=e]').selectOption('sglang');
  await expect(command).toContainText('python -m sglang.launch_server --model-path meta-llama/Llama-2-7b-hf');
  await expect(command).toContainText('--context-length 4096');
  await expect(command).toContainText('--kv-cache-dtype fp8_e5m2');

  // llama.cpp, 4 slots of 4,096 tokens: one cache of 16,384 cells.
  await page.locator('select[name=e]').selectOption('llama.cpp');
  await page.locator('select[name=kv]').selectOption('q8_0');
  await page.locator('input[name=n]').fill('4');
  await page.locator('td.grid__cell').nth(1).click();
  await expect(page.locator('.detail__title')).toContainText('GGUF Q4_K_M');
  await expect(command).toContainText('llama-server -m ./Llama-2-7b-hf-Q4_K_M.gguf \\\n  -c 16384 \\\n  -ngl 999 \\\n  --parallel 4');
  await expect(command).toContainText('-ctk q8_0 -ctv q8_0');

  await page.locator('select[name=e]').selectOption('transformers');
  await page.locator('select[name=kv]').selectOption('auto');
  await page.locator('td.grid__cell').first().click();
  await expect(page.locator('.detail__command-none')).toBeVisible();
});

test('engine settings travel in the link and reach the command; what a GPU cannot run says why', async ({ page }) => {
  await page.goto('/?m=meta-llama/Llama-3.1-8B-Instruct&g=h100-sxm-80gb,v100-32gb&q=fp8,q4_k_m&e=sglang'
    + '&cell=meta-llama/Llama-3.1-8B-Instruct~fp8~h100-sxm-80gb');
  const command = page.getByTestId('command');
  // SGLang's own default for an H100 at TP 1 is written out, so every version starts the same.
  await expect(command).toContainText('--mem-fraction-static 0.834');
  const mfs = page.locator('input[name=mfs]');
  await expect(mfs).toHaveAttribute('placeholder', 'default');
  // Half-typed text never stays applied: "150" is out of range, so its prefix "15" is not kept.
  await mfs.pressSequentially('150');
  await expect(mfs).toHaveAttribute('aria-invalid', 'true');
  expect(page.url()).not.toContain('mfs=');
  await expect(command).toContainText('--mem-fraction-static 0.834');
  await mfs.fill('70');
  await expect(mfs).not.toHaveAttribute('aria-invalid');
  await expect.poll(() => page.url()).toContain('mfs=70');
  await expect(command).toContainText('--mem-fraction-static 0.7');
  // vLLM's field is not shown for SGLang, and the other way round.
  await expect(page.locator('input[name=util]')).toHaveCount(0);

  // FP8 on a V100 (compute capability 7.0): unsupported, with the reason in the detail.
  const v100 = page.locator('tr[data-format="fp8"] td[data-gpu="v100-32gb"]');
  await expect(v100).toHaveAttribute('data-fit', 'unsupported');
  await v100.click();
  await expect(page.getByTestId('detail')).toContainText('compute capability 8.0');
  await expect(page.getByTestId('command')).toHaveCount(0);

  // llama.cpp: flash attention is a switch; off, it is in the link and the command.
  await page.locator('select[name=e]').selectOption('llama.cpp');
  const fa = page.locator('input[name=fa]');
  await expect(fa).toBeChecked();
  await fa.uncheck();
  await expect.poll(() => page.url()).toContain('fa=0');
  await page.locator('tr[data-format="q4_k_m"] td[data-gpu="h100-sxm-80gb"]').click();
  await expect(page.getByTestId('command')).toContainText('-fa off');
  // Partial offload: 16 of 32 layers on the GPU; the rest, and their cache, in system RAM.
  await page.locator('input[name=ngl]').fill('16');
  await expect.poll(() => page.url()).toContain('ngl=16');
  await expect(page.getByTestId('command')).toContainText('-ngl 16');
  await expect(page.getByTestId('detail')).toContainText('in system RAM, not on the GPU');
  // Layers left in RAM by hand are an offload too: the cell says so.
  await expect(page.locator('tr[data-format="q4_k_m"] td[data-gpu="h100-sxm-80gb"]')).toHaveAttribute('data-fit', 'offload');
  await page.reload();
  await expect(page.locator('input[name=fa]')).not.toBeChecked();
  await expect(page.locator('input[name=ngl]')).toHaveValue('16');

  // vLLM 0.11–0.15 sort the sampler's logits in the profile run: a larger activation peak.
  await page.locator('select[name=e]').selectOption('vllm');
  const cell = page.locator('tr[data-format="fp8"] td[data-gpu="h100-sxm-80gb"]');
  const before = await cell.textContent();
  await page.locator('select[name=vr]').selectOption('0.11');
  await expect.poll(() => page.url()).toContain('vr=0.11');
  await expect(cell).not.toHaveText(before ?? '');
});
