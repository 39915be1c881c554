import { test, expect, Page } from './page-checks';
import * as fs from 'fs';

// Hostile input, as an attacker would send it: a link too large to evaluate, names that are
// HTML or spreadsheet formulas in the exports, values the decoder cannot use, a Hub that never
// answers, a server policy that blocks the app.

const FORMATS = 'native,fp32,fp16,bf16,fp8,int8,awq,w4a16,gptq,nf4,mxfp4,nvfp4,q8_0,q6_k,q5_k_m,q4_k_m,q4_0';
const CONFIG = fs.readFileSync('e2e/fixtures/config.json', 'utf8');

/** Opens a link of any length: python's http.server refuses request lines over 64 KiB, so the
 * document is fetched from `/` while the browser keeps the long address (what the app reads). */
async function openLong(page: Page, query: string) {
  await page.route((url) => url.pathname === '/' && url.search.length > 0, async (route) => {
    const response = await route.fetch({ url: new URL('/', route.request().url()).toString() });
    await route.fulfill({ response });
  });
  await page.goto('/?' + query);
}

test('a 368 KB link asking for 64 million cells opens a working page with notices', async ({ page }) => {
  const base64 = Buffer.from(JSON.stringify(JSON.parse(CONFIG))).toString('base64url');
  const parts = [`q=${FORMATS}`];
  parts.push('g=' + Array.from({ length: 10_000 }, (_, i) => `custom:g${i}`).join(','));
  parts.push('m=' + Array.from({ length: 300 }, (_, i) => `custom:m${i}`).join(','));
  for (let i = 0; i < 10_000; i++) parts.push(`cg=g${i}~24576`);
  for (let i = 0; i < 300; i++) parts.push(`cm=m${i}~${base64}`);
  const query = parts.join('&');
  expect(query.length).toBeGreaterThan(300_000);
  await openLong(page, query);
  const notices = page.getByTestId('notice');
  await expect(notices.filter({ hasText: /This link is \d+ KB long; Fitgrid reads its first 128 KB/ })).toBeVisible();
  // A grid renders and responds.
  await expect(page.locator('td.grid__cell').first()).toBeVisible();
  await page.locator('input[name=ctx]').fill('8192');
  await expect.poll(() => page.url()).toContain('ctx=8192');
  // Dismiss all clears every notice at once.
  await page.locator('button[name=dismiss-all]').click();
  await expect(notices).toHaveCount(0);
});

test('a link with more custom entries than it may carry keeps the first 32 and says so', async ({ page }) => {
  const base64 = Buffer.from(JSON.stringify(JSON.parse(CONFIG))).toString('base64url');
  const parts: string[] = [];
  for (let i = 0; i < 40; i++) parts.push(`cg=g${i}~24576`, `cm=m${i}~${base64}`);
  parts.push('m=custom:m0,custom:m39&g=custom:g0,custom:g39');
  await page.goto('/?' + parts.join('&'));
  const notices = page.getByTestId('notice');
  await expect(notices.filter({ hasText: 'a link carries at most 32 of these; the first 32 were read and 8 left out' })).toHaveCount(2);
  // The 40th entries were not read, so their ids are named as unknown.
  await expect(notices.filter({ hasText: 'custom:m39' })).toHaveCount(1);
  await expect(page.locator('td.grid__cell')).toHaveCount(4);
});

test('values the link cannot use are each named in a notice', async ({ page }) => {
  const cases: [string, RegExp][] = [
    ['cg=Lab~24576~x&g=custom:lab', /bandwidth “x” is not a whole number of GB\/s/],
    ['cg=Lab~24576~1e30&g=custom:lab', /bandwidth “1e30”/],
    ['cg=Lab~24576~1~2~3~4&g=custom:lab', /extra parts “3~4” were ignored/],
    ['bands=60,abc,75,90', /must be three increasing percentages/],
    ['m=meta-llama/Llama-2-7b-hf&tp=3', /tensor parallel 3 does not divide the attention heads of Llama-2-7b-hf \(32 heads\)/],
  ];
  for (const [query, text] of cases) {
    await page.goto('/?' + query);
    await expect(page.getByTestId('notice').filter({ hasText: text })).toHaveCount(1);
  }
  // The TP control shows the link's value instead of a blank.
  await expect(page.locator('select[name=tp]')).toHaveValue('3');
  // A 100 KB unknown name is clipped; 1,000 unknown names are one notice.
  await page.goto('/?' + 'k'.repeat(20_000) + '=1');
  const one = page.getByTestId('notice');
  await expect(one).toHaveCount(1);
  expect((await one.textContent())!.length).toBeLessThan(300);
  await page.goto('/?' + Array.from({ length: 1000 }, (_, i) => `x${i}=1`).join('&'));
  await expect(page.getByTestId('notice')).toHaveCount(1);
  await expect(page.getByTestId('notice')).toContainText('1000 link parameters are not Fitgrid parameters');
});

test('Markdown and CSV downloads of hostile names are inert', async ({ page }) => {
  const html = '<img src=x onerror=alert(1)>';
  const formula = '=HYPERLINK("http://x","y")';
  const q = `cg=${encodeURIComponent(html)}~24576&cg=${encodeURIComponent(formula)}~24576` +
    '&g=custom:img-src-x-onerror-alert-1,custom:hyperlink--http---x---y&m=Qwen/Qwen2.5-0.5B&q=fp16';
  await page.goto('/?' + q);
  await expect(page.locator('td.grid__cell')).toHaveCount(2);
  const [mdDl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Markdown' }).click()]);
  const md = fs.readFileSync((await mdDl.path())!, 'utf8');
  expect(md).not.toContain('<');
  expect(md).toContain('&lt;img src=x onerror=alert\\(1\\)&gt;');
  const [csvDl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'CSV' }).click()]);
  const csv = fs.readFileSync((await csvDl.path())!, 'utf8');
  // Every field that a spreadsheet would read as a formula starts with a quote character.
  expect(csv).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
  for (const line of csv.trim().split('\n')) {
    for (const field of line.match(/("([^"]|"")*"|[^,]+)/g)!) {
      expect(field.replace(/^"/, '')).not.toMatch(/^[=+\-@\t\r]/);
    }
  }
});

test.describe('the Hub fetch gives up and can be cancelled', () => {
  test.use({ consoleAllowed: /Failed to load resource|net::ERR_|huggingface\.co|aborted/i });

  test('a Hub that never answers times out with a clear message; Cancel stops a fetch', async ({ page }) => {
    test.setTimeout(60_000);
    await page.route('https://huggingface.co/**', () => { /* never answers */ });
    await page.goto('/');
    await page.getByText('Add your own model or GPU').click();
    await page.locator('input[name=repo]').fill('acme/slow');
    await page.locator('button[name=fetch]').click();
    await expect(page.getByRole('progressbar')).toBeVisible();
    await expect(page.locator('button[name=fetch]')).toBeDisabled();
    await expect(page.getByRole('alert')).toContainText('the Hub did not answer within 15 s', { timeout: 25_000 });
    await expect(page.locator('button[name=fetch]')).toBeEnabled();
    await expect(page.getByRole('progressbar')).toHaveCount(0);
    // Cancel.
    await page.locator('button[name=fetch]').click();
    await expect(page.getByRole('progressbar')).toBeVisible();
    await page.locator('button[name=cancel-fetch]').click();
    await expect(page.getByRole('alert')).toHaveText('cancelled; nothing was added');
    await expect(page.locator('button[name=fetch]')).toBeEnabled();
    await expect(page.locator('td.grid__cell')).toHaveCount(60);
  });

  test('a 5 MB answer is not read past 4 MiB, and messages name the file once', async ({ page }) => {
    await page.route('https://huggingface.co/**', (route) => route.fulfill({
      status: 200, contentType: 'application/json', body: ' '.repeat(5 << 20) + '{}',
      headers: { 'access-control-allow-origin': '*' },
    }));
    await page.goto('/');
    await page.getByText('Add your own model or GPU').click();
    await page.locator('input[name=repo]').fill('acme/huge');
    await page.locator('button[name=fetch]').click();
    await expect(page.getByRole('alert')).toContainText('config.json is larger than 4 MiB, so Fitgrid stopped reading it');
    await page.unroute('https://huggingface.co/**');
    await page.route('https://huggingface.co/**', (route) => route.fulfill({
      status: 200, contentType: 'application/json', body: '{not json', headers: { 'access-control-allow-origin': '*' },
    }));
    await page.locator('button[name=fetch]').click();
    await expect(page.getByRole('alert')).toContainText('acme/huge: config.json is not valid JSON');
    await expect(page.getByRole('alert')).not.toContainText('config.json config.json');
  });
});

test.describe('deployment', () => {
  test.use({ consoleAllowed: /Content Security Policy|Refused to/ });

  test('index.html carries a working policy; a server policy that blocks the app gets a hint', async ({ page, context }) => {
    await page.goto('/');
    await expect(page.locator('td.grid__cell')).toHaveCount(60);
    const meta = await page.locator('meta[http-equiv=Content-Security-Policy]').getAttribute('content');
    expect(meta).toContain("script-src 'self' 'wasm-unsafe-eval'");
    await expect(page.locator('#boot')).toHaveCount(0);
    // A deployer's header without 'self' in connect-src: the wasm cannot load.
    const other = await context.newPage();
    await other.route('**/*', async (route) => {
      if (route.request().resourceType() !== 'document') return route.continue();
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src https://huggingface.co" } });
    });
    await other.goto('/');
    await expect(other.locator('.boot__help')).toBeVisible({ timeout: 10_000 });
    await expect(other.locator('.boot__help')).toContainText("connect-src 'self'");
  });
});
