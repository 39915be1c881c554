import { test, expect, Page, Route } from './page-checks';
import * as fs from 'fs';

const CONFIG = fs.readFileSync('e2e/fixtures/config.json', 'utf8');
const API = fs.readFileSync('e2e/fixtures/api-model.json', 'utf8');

// Failed fetches are expected in some tests; anything else logged as an error fails the test.
test.use({ consoleAllowed: /Failed to load resource|net::ERR_FAILED|huggingface\.co/ });

async function open(page: Page, query = '') {
  await page.goto('/' + query);
  await page.getByText('Add your own model or GPU').click();
}

/** Serves Hub responses from fixtures (the test machine has no internet). */
async function hub(page: Page, handler: (route: Route, url: string) => Promise<void>) {
  await page.route('https://huggingface.co/**', (route) => handler(route, route.request().url()));
}

test('paste a config.json: a new row, its notes, and the link carries it', async ({ page, context }) => {
  await open(page);
  await page.locator('textarea[name=config]').fill(CONFIG);
  await page.locator('input[name=params]').fill('494,032,768');
  await page.locator('button[name=add-config]').click();
  await expect(page.getByRole('status').filter({ hasText: 'Added acme/qwen-tune' })).toBeVisible();
  const row = page.locator('tr[data-model="custom:acme-qwen-tune"]');
  await expect(row).toHaveCount(4);
  await expect(row.first().locator('th.grid__model')).toHaveText('acme/qwen-tune');
  await expect.poll(() => page.url()).toContain('cm=acme');
  // A colleague opens the link: same row, no fetch (any request to the Hub would fail here).
  const link = page.url();
  const other = await context.newPage();
  let fetched = false;
  await other.route('https://huggingface.co/**', (r) => { fetched = true; return r.abort(); });
  await other.goto(link);
  await expect(other.locator('tr[data-model="custom:acme-qwen-tune"]')).toHaveCount(4);
  const cells = (p: Page) => p.locator('tr[data-model="custom:acme-qwen-tune"] td').allTextContents();
  expect(await cells(other)).toEqual(await cells(page));
  expect(fetched).toBe(false);
});

test('upload config.json and its safetensors index', async ({ page }) => {
  await open(page);
  await page.locator('input[name=config-file]').setInputFiles('e2e/fixtures/config.json');
  await expect(page.locator('textarea[name=config]')).toHaveValue(/Qwen2ForCausalLM/);
  await page.locator('input[name=index-file]').setInputFiles('e2e/fixtures/model.safetensors.index.json');
  await page.locator('input[name=model-name]').fill('uploaded model');
  await page.locator('button[name=add-config]').click();
  await expect(page.locator('tr[data-model="custom:uploaded-model"]')).toHaveCount(4);
});

test('a broken or incomplete config says what is wrong and changes nothing', async ({ page }) => {
  await open(page);
  await page.locator('textarea[name=config]').fill('{"hidden_size": 1024, "num_attention_heads": 16}');
  await page.locator('button[name=add-config]').click();
  await expect(page.getByRole('alert')).toContainText('num_hidden_layers');
  await page.locator('textarea[name=config]').fill('{not json');
  await page.locator('button[name=add-config]').click();
  await expect(page.getByRole('alert')).toContainText('not valid JSON');
  const odd = JSON.parse(CONFIG); odd.model_type = 'brand_new'; odd._name_or_path = 'odd/model';
  await page.locator('textarea[name=config]').fill(JSON.stringify(odd));
  await page.locator('button[name=add-config]').click();
  await expect(page.getByTestId('custom-list')).toContainText('unknown architecture `brand_new`');
  await expect(page.locator('td.grid__cell')).toHaveCount(60 + 20);
});

test('fetch from the Hub: progress, a usable grid meanwhile, token only in the header', async ({ page }) => {
  let auth = '';
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  await hub(page, async (route, url) => {
    auth = route.request().headers()['authorization'] ?? '';
    if (url.endsWith('/acme/qwen-tune/resolve/main/config.json')) {
      await gate;
      return route.fulfill({ status: 200, contentType: 'application/json', body: CONFIG, headers: { 'access-control-allow-origin': '*' } });
    }
    if (url.endsWith('/api/models/acme/qwen-tune')) {
      return route.fulfill({ status: 200, contentType: 'application/json', body: API, headers: { 'access-control-allow-origin': '*' } });
    }
    return route.fulfill({ status: 404, body: 'not found', headers: { 'access-control-allow-origin': '*' } });
  });
  await open(page);
  await page.locator('input[name=repo]').fill('acme/qwen-tune');
  await page.locator('input[name=token]').fill('hf_secret123');
  await page.locator('button[name=fetch]').click();
  await expect(page.getByRole('progressbar')).toBeVisible();
  // The grid keeps working while the fetch is in flight.
  await page.locator('input[name=ctx]').fill('4096');
  await expect.poll(() => page.url()).toContain('ctx=4096');
  release();
  await expect(page.locator('tr[data-model="custom:acme-qwen-tune"]')).toHaveCount(4);
  await expect(page.getByRole('progressbar')).toHaveCount(0);
  expect(auth).toBe('Bearer hf_secret123');
  await expect.poll(() => page.url()).not.toContain('hf_secret');
  expect(await page.evaluate(() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage))).not.toContain('hf_secret');
});

for (const [name, setup, expected] of [
  ['not found', (r: Route) => r.fulfill({ status: 404, body: 'x', headers: { 'access-control-allow-origin': '*' } }), 'not found'],
  ['gated', (r: Route) => r.fulfill({ status: 401, body: 'x', headers: { 'access-control-allow-origin': '*' } }), 'gated or private'],
  ['network or CORS', (r: Route) => r.abort('failed'), 'network error'],
  ['not a causal LM', (r: Route) => r.fulfill({ status: 200, body: CONFIG.replace('Qwen2ForCausalLM', 'BertForMaskedLM'), headers: { 'access-control-allow-origin': '*' } }), 'not a causal language model'],
  ['too large', (r: Route) => r.fulfill({ status: 200, body: CONFIG.replace('"hidden_size": 896', '"hidden_size": 131072').replace('"intermediate_size": 4864', '"intermediate_size": 1048576').replace('"num_attention_heads": 14', '"num_attention_heads": 1024').replace('"num_key_value_heads": 2', '"num_key_value_heads": 128'), headers: { 'access-control-allow-origin': '*' } }), '10 trillion'],
] as const) {
  test(`fetch failure: ${name}`, async ({ page }) => {
    await hub(page, async (route) => setup(route));
    await open(page);
    await page.locator('input[name=repo]').fill('acme/qwen-tune');
    await page.locator('button[name=fetch]').click();
    await expect(page.getByRole('alert')).toContainText(expected);
    await expect(page.locator('td.grid__cell')).toHaveCount(60); // nothing lost, nothing added
  });
}

test('an invalid repo id is refused before any request', async ({ page }) => {
  let requests = 0;
  await hub(page, async (route) => { requests++; await route.abort(); });
  await open(page);
  await page.locator('input[name=repo]').fill('<img src=x onerror=alert(1)>');
  await page.locator('button[name=fetch]').click();
  await expect(page.getByRole('alert')).toContainText('is not a Hugging Face repo id');
  await expect(page.locator('.byo img')).toHaveCount(0);
  expect(requests).toBe(0);
});

test('a custom GPU becomes a column and travels in the link', async ({ page, context }) => {
  await open(page);
  await page.locator('input[name=gpu-name]').fill('Lab card');
  await page.locator('input[name=gpu-memory]').fill('40');
  await page.locator('select[name=gpu-unit]').selectOption('GiB');
  await page.locator('button[name=add-gpu]').click();
  await expect(page.locator('th.grid__gpu[data-gpu="custom:lab-card"]')).toContainText('40.00 GiB');
  await expect(page.locator('td[data-gpu="custom:lab-card"]')).toHaveCount(12);
  await expect.poll(() => page.url()).toContain('cg=Lab+card~40960');
  const other = await context.newPage();
  await other.goto(page.url());
  await expect(other.locator('th.grid__gpu[data-gpu="custom:lab-card"]')).toContainText('40.00 GiB');
  await page.getByRole('button', { name: 'Remove Lab card' }).click();
  await expect(page.locator('th.grid__gpu[data-gpu="custom:lab-card"]')).toHaveCount(0);
});

test('a custom GPU with bandwidth and TFLOPS gets decode and prefill speed', async ({ page }) => {
  const M = 'meta-llama/Llama-2-7b-hf';
  await open(page, `?m=${M}&q=native&g=h100-sxm-80gb&mode=speed`);
  await page.locator('input[name=gpu-name]').fill('Fast card');
  await page.locator('input[name=gpu-memory]').fill('48');
  await page.locator('input[name=gpu-bandwidth]').fill('960');
  await page.locator('input[name=gpu-tflops]').fill('149.7');
  await page.locator('button[name=add-gpu]').click();
  await expect.poll(() => page.url()).toContain('cg=Fast+card~49152~960~149.7');
  const c = page.locator(`tr[data-model="${M}"] td[data-gpu="custom:fast-card"]`).first();
  await expect(c.locator('.grid__pct')).toHaveText(/^\d+(\.\d+)? t\/s$/);
  await c.click();
  // 2 × 6.7 B FLOPs a token at 65 % of 149.7 TFLOPS: ~7,000 tokens/s of prefill.
  await expect(page.getByTestId('speed')).toContainText(/prefill [\d,]+ tokens\/s, first token after/);
});
