import { test, expect } from './page-checks';

test('presets choose the GPUs and models, and the choice is in the URL', async ({ page }) => {
  await page.goto('/');
  await page.locator('button[data-preset=datacenter]').click();
  await expect.poll(() => page.url()).toContain('h100-sxm-80gb');
  await expect(page.locator('th.grid__gpu[data-gpu="rtx-4090-24gb"]')).toHaveCount(0);
  await expect(page.locator('th.grid__gpu[data-gpu="b200-180gb"]')).toHaveCount(1);

  await page.locator('button[data-preset="70b"]').click();
  // A windowed grid (10 models × the datacenter GPUs): the first model's rows are rendered.
  await expect(page.locator('tr[data-model="meta-llama/Meta-Llama-3-70B"]').first()).toBeVisible();
  await expect(page.locator('tr[data-model="Qwen/Qwen2.5-0.5B"]')).toHaveCount(0);
  await expect.poll(() => page.url()).toContain('Llama-3.3-70B-Instruct');
  // One TP for all would grey out the smaller GPUs: the preset shows the fewest GPUs of each.
  await expect(page.locator('select[name=mode]')).toHaveValue('cost');
  await expect(page.locator('tr[data-model="meta-llama/Meta-Llama-3-70B"] td[data-gpu="h100-sxm-80gb"]').first()).toContainText('×');

  // The link reproduces the selection.
  await page.reload();
  await expect(page.locator('tr[data-model="meta-llama/Meta-Llama-3-70B"]').first()).toBeVisible();
  await expect(page.locator('th.grid__gpu[data-gpu="h100-sxm-80gb"]')).toHaveCount(1);
  await expect.poll(() => page.url()).toContain('b200-180gb');

  await page.locator('button[data-preset=consumer]').click();
  await expect(page.locator('th.grid__gpu[data-gpu="rtx-4090-24gb"]')).toHaveCount(1);
  await expect(page.locator('th.grid__gpu[data-gpu="h100-sxm-80gb"]')).toHaveCount(0);
  await page.locator('button[data-preset=seed]').click();
  await expect(page.locator('td.grid__cell')).toHaveCount(60);
});

test('search a model and add it; remove a format', async ({ page }) => {
  await page.goto('/');
  const models = page.locator('details.picker[data-axis=models]');
  await models.locator('summary').click();
  await models.locator('input[type=search]').fill('GPT-OSS-20B');
  await expect(models.locator('li:has(input[type=checkbox])')).toHaveCount(1);
  await models.locator('input[type=checkbox][value="openai/gpt-oss-20b"]').check();
  await expect(page.locator('tr[data-model="openai/gpt-oss-20b"]')).toHaveCount(4);
  await expect.poll(() => page.url()).toContain('openai/gpt-oss-20b');

  const formats = page.locator('details.picker[data-axis=formats]');
  await formats.locator('summary').click();
  await formats.locator('input[type=checkbox][value=fp32]').uncheck();
  await expect(page.locator('tr[data-format=fp32]')).toHaveCount(0);
  await expect.poll(() => page.url()).toMatch(/q=fp16,int8,awq/);
  await formats.locator('input[type=checkbox][value=q4_k_m]').check();
  await expect(page.locator('tr[data-format=q4_k_m]')).toHaveCount(4);
  await page.locator('select[name=e]').selectOption('llama.cpp');
  await expect(page.locator('tr[data-format=awq] td[data-fit=unsupported]').first()).toBeVisible();
  await expect(page.locator('tr[data-format=q4_k_m] td[data-fit=unsupported]')).toHaveCount(0);
  // "only": one click for a single-model question.
  await models.locator('input[type=search]').fill('');
  await models.locator('button[data-only="meta-llama/Llama-2-7b-hf"]').click();
  await expect(page.locator('th.grid__model')).toHaveCount(1);
  await expect(page.locator('tr[data-model="meta-llama/Llama-2-7b-hf"]').first()).toBeVisible();
  await expect(models.locator('summary')).toHaveText('Models (1)');
});
