import { test, expect, Page, Route } from './page-checks';
import * as fs from 'fs';

// Exact weights from checkpoint headers, served from the recorded fixtures of
// planner/tests/data/checkpoints (see its README): the Hub answers a Range request with 206 and
// the file's first bytes, a missing file with 404.
const DATA = 'planner/tests/data/checkpoints';
const CORS = { 'access-control-allow-origin': '*' };

test.use({ consoleAllowed: /Failed to load resource|net::ERR_|huggingface\.co/ });

type Files = Record<string, Buffer | undefined>;

/** The files of a fixture folder, by name. */
function folder(dir: string): Files {
  const out: Files = {};
  for (const f of fs.readdirSync(`${DATA}/${dir}`)) out[f] = fs.readFileSync(`${DATA}/${dir}/${f}`);
  return out;
}

/** Serves `repos` (repo id → files) as the Hub's resolver does; records each request. */
async function hub(page: Page, repos: Record<string, Files>, asked: string[] = [],
  answer?: (route: Route, file: string) => Promise<void> | void) {
  await page.route('https://huggingface.co/**', async (route) => {
    const url = new URL(route.request().url());
    const m = url.pathname.match(/^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/);
    const range = route.request().headers()['range'];
    asked.push(`${url.pathname} ${range ?? ''}`.trim());
    // `answer` may take the request (it returns the fulfil's promise) or leave it (undefined).
    const taken = m && answer ? answer(route, m[2]) : undefined;
    if (taken !== undefined) return taken;
    const body = m ? repos[m[1]]?.[m[2]] : undefined;
    if (!body) return route.fulfill({ status: 404, body: 'Entry not found', headers: CORS });
    const r = range?.match(/^bytes=0-(\d+)$/);
    if (!r) return route.fulfill({ status: 200, body, headers: CORS });
    return route.fulfill({ status: 206, body: body.subarray(0, Number(r[1]) + 1), headers: CORS });
  });
}

async function fetchRepo(page: Page, repo: string, gguf = '') {
  await page.goto('/');
  await page.getByText('Add your own model or GPU').click();
  await page.locator('input[name=repo]').fill(repo);
  if (gguf) await page.locator('input[name=gguf]').fill(gguf);
  await page.locator('button[name=fetch]').click();
}

/** Opens the detail of the first cell of the model's `format` row (the one its checkpoint is
 * stored in: the only row with exact weights) and returns its notes. */
async function notes(page: Page, id: string, format = 'native') {
  await page.locator(`tr[data-model="${id}"][data-format="${format}"] td.grid__cell`).first().click();
  await expect(page.getByTestId('detail')).toBeVisible();
  return page.locator('.detail__notes');
}

test('a sharded safetensors repo: exact bytes from 12 shard headers, and the link carries them', async ({ page, context }) => {
  const asked: string[] = [];
  await hub(page, { 'google/medgemma-27b-it': folder('medgemma-27b-it') }, asked);
  await fetchRepo(page, 'google/medgemma-27b-it');
  // 54,864,813,280 bytes: the index's metadata.total_size.
  await expect(page.getByTestId('byo').getByRole('status')).toHaveText(
    'Added google/medgemma-27b-it; weights exact (from the checkpoint headers): 51.10 GiB on its BF16 row');
  await expect(page.getByTestId('custom-list')).toContainText(
    'google/medgemma-27b-it weights exact (from the checkpoint headers): 51.10 GiB, of which vision encoder 0.79 GiB');
  await page.getByTestId('byo').screenshot({ path: 'artifacts/hub-fetch.png' });
  const id = 'custom:google-medgemma-27b-it';
  // The BF16 checkpoint's own row (native, added to the grid) is exact; the others are priced.
  await expect(await notes(page, id, 'int8')).not.toContainText('weights exact');
  await page.keyboard.press('Escape');
  await expect(await notes(page, id)).toContainText(
    'weights exact (from the checkpoint headers): 51.10 GiB, of which vision encoder 0.79 GiB; BF16 51.10 GiB; the breakdown\'s weights also hold the engine\'s rotary cos/sin cache');
  // The launch command serves the repo it was fetched from.
  await expect(page.getByTestId('detail')).toContainText('vllm serve google/medgemma-27b-it');
  // The index whole, then 256 KiB of each shard: never the weights.
  const shards = asked.filter((a) => a.includes('-of-00012.safetensors'));
  expect(shards).toHaveLength(12);
  expect(shards.every((a) => a.endsWith('bytes=0-262143'))).toBe(true);
  // A colleague opens the link: the same exact weights, no request at all.
  await expect.poll(() => page.url()).toContain('cell=');
  const other = await context.newPage();
  let fetched = false;
  await other.route('https://huggingface.co/**', (r) => { fetched = true; return r.abort(); });
  await other.goto(page.url());
  await expect(other.getByTestId('detail')).toBeVisible();
  await expect(other.locator('.detail__notes')).toContainText('weights exact (from the checkpoint headers): 51.10 GiB');
  const cells = (p: Page) => p.locator(`tr[data-model="${id}"] td`).allTextContents();
  expect(await cells(other)).toEqual(await cells(page));
  await expect(other.getByTestId('custom-list')).toContainText('weights exact (from the checkpoint headers): 51.10 GiB');
  expect(fetched).toBe(false);
});

test('a pre-quantized AWQ file (no index) and an FP8 repo: exact bytes equal their headers', async ({ page }) => {
  const awq = 'TheBloke/TinyLlama-1.1B-Chat-v1.0-AWQ';
  const fp8 = 'neuralmagic/Meta-Llama-3-8B-Instruct-FP8';
  const asked: string[] = [];
  await hub(page, {
    [awq]: folder('tinyllama-1.1b-chat-v1.0-awq'),
    [fp8]: folder('meta-llama-3-8b-instruct-fp8'),
  }, asked);
  // 765,693,952 bytes of tensors: the file's 765,750,416 less its 8 + 56,456 header bytes.
  await fetchRepo(page, awq);
  await expect(page.getByTestId('byo').getByRole('status')).toHaveText(`Added ${awq}; weights exact (from the checkpoint headers): 0.71 GiB on its INT4 AWQ row`);
  expect(asked.slice(-2)).toEqual([
    `/${awq}/resolve/main/model.safetensors.index.json`,
    `/${awq}/resolve/main/model.safetensors bytes=0-262143`,
  ]);
  await expect(await notes(page, 'custom:thebloke-tinyllama-1.1b-chat-v1.0-awq', 'awq')).toContainText('F16 0.26 GiB, I32 0.45 GiB');
  await page.keyboard.press('Escape');
  // 9,081,202,432 bytes: the index's total_size, two shards.
  // Enter in the field fetches.
  await page.locator('input[name=repo]').fill(fp8);
  await page.locator('input[name=repo]').press('Enter');
  await expect(page.getByTestId('byo').getByRole('status')).toHaveText(`Added ${fp8}; weights exact (from the checkpoint headers): 8.46 GiB on its FP8 row`);
  await expect(await notes(page, 'custom:neuralmagic-meta-llama-3-8b-instruct-fp8')).toContainText('BF16 1.96 GiB, F32 0.00 GiB, F8_E4M3 6.50 GiB');
});

test('a GGUF file on the Hub: its tensor table read in growing ranges', async ({ page }) => {
  const base = 'TinyLlama/TinyLlama-1.1B-Chat-v1.0';
  const ggufRepo = 'TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF';
  const file = 'tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf';
  const config = JSON.parse(fs.readFileSync(`${DATA}/tinyllama-1.1b-chat-v1.0-awq/config.json`, 'utf8'));
  delete config.quantization_config;
  const asked: string[] = [];
  await hub(page, {
    [base]: { 'config.json': Buffer.from(JSON.stringify(config)) },
    [ggufRepo]: { [file]: fs.readFileSync(`${DATA}/${file}`) },
  }, asked);
  await fetchRepo(page, base, `https://huggingface.co/${ggufRepo}/blob/main/${file}`);
  // 667,078,656 bytes = llama.cpp's logged "file size = 636.18 MiB".
  await expect(page.getByTestId('byo').getByRole('status')).toHaveText(`Added ${base}; weights exact (from the checkpoint headers): 0.62 GiB on its GGUF Q4_K_M row`);
  expect(asked.filter((a) => a.includes('.gguf'))).toEqual([
    `/${ggufRepo}/resolve/main/${file} bytes=0-1048575`,
    `/${ggufRepo}/resolve/main/${file} bytes=0-2097151`,
  ]);
  await expect(await notes(page, 'custom:tinyllama-tinyllama-1.1b-chat-v1.0', 'q4_k_m')).toContainText('f32 0.00 GiB, q4_K 0.48 GiB, q6_K 0.14 GiB');
  // Not a GGUF address: refused before any request.
  const before = asked.length;
  await page.keyboard.press('Escape');
  await page.locator('input[name=gguf]').fill('https://evil.example/x.gguf');
  await page.locator('button[name=fetch]').click();
  await expect(page.getByTestId('byo').getByRole('alert')).toContainText('is not a GGUF file on the Hub');
  expect(asked.length).toBe(before);
});

test('a server that ignores HTTP Range: the first bytes of its whole answer are read, then the download stops', async ({ page }) => {
  const repo = 'acme/tiny-awq';
  const file = folder('tinyllama-1.1b-chat-v1.0-awq');
  // The whole "file": the header and 2 MB standing in for the weights, always with 200.
  const whole = Buffer.concat([file['model.safetensors']!, Buffer.alloc(2_000_000)]);
  await hub(page, { [repo]: file }, [], (r: Route, f: string) =>
    f === 'model.safetensors' ? r.fulfill({ status: 200, body: whole, headers: CORS }) : undefined);
  await fetchRepo(page, repo);
  await expect(page.getByTestId('byo').getByRole('status')).toHaveText(`Added ${repo}; weights exact (from the checkpoint headers): 0.71 GiB on its INT4 AWQ row`);
});

const CONFIG = fs.readFileSync(`${DATA}/tinyllama-1.1b-chat-v1.0-awq/config.json`);
const hostile = (name: string) => fs.readFileSync(`${DATA}/hostile/${name}`);
// A header naming a tensor with markup and an unknown dtype.
const markupJson = Buffer.from('{"<img src=x onerror=alert(1)>":{"dtype":"Q9","shape":[1],"data_offsets":[0,1]}}');
const markup = Buffer.concat([Buffer.from(new BigUint64Array([BigInt(markupJson.length)]).buffer), markupJson]);

for (const [name, files, answer, expected] of [
  ['no safetensors at all', {}, undefined,
    'the repo has no model.safetensors.index.json and no model.safetensors'],
  ['gated checkpoint files', {}, (r: Route, f: string) => f === 'config.json' ? undefined : r.fulfill({ status: 403, body: 'x', headers: CORS }),
    'model.safetensors.index.json: gated or private'],
  ['a truncated header', { 'model.safetensors': hostile('truncated.safetensors') }, undefined,
    'model.safetensors ends after'],
  ['a header that is not JSON', { 'model.safetensors': hostile('not_json.safetensors') }, undefined,
    'the safetensors header is not valid JSON'],
  ['a hostile header', { 'model.safetensors': markup }, undefined,
    'tensor `<img src=x onerror=alert(1)>` has the unknown type `Q9`'],
] as const) {
  test(`exact bytes unavailable: ${name} — the row is still added, priced from config.json`, async ({ page }) => {
    const repo = 'acme/tiny-awq';
    await hub(page, { [repo]: { 'config.json': CONFIG, ...files } }, [], answer as never);
    await fetchRepo(page, repo);
    const status = page.getByTestId('byo').getByRole('status');
    await expect(status).toContainText(`Added ${repo}; weights priced from config.json; exact bytes unavailable: `);
    await expect(status).toContainText(expected);
    await expect(page.locator('.byo img')).toHaveCount(0);
    await expect(page.locator('tr[data-model="custom:acme-tiny-awq"]')).not.toHaveCount(0);
    await expect(await notes(page, 'custom:acme-tiny-awq', 'fp16')).not.toContainText('weights exact');
  });
}
