import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { colourAt, positionOnScale } from '../../src/inspect/colour-scale.js';
import { findUnits } from '../../src/inspect/find-units.js';
import { pageData, renderHtmlPage, type PageData } from '../../src/inspect/html-page.js';
import { describeQuantity, scaleOf, valuesOf } from '../../src/inspect/quantities.js';
import { traceText } from '../../src/inspect/trace.js';
import { Vocab } from '../../src/text/vocab.js';
import { lineCounterLstm, saveHandBuilt } from '../helpers/hand-built.js';
import { runCli } from '../helpers/run-cli.js';
import { tmpDir } from '../helpers/tmp.js';

const TEXT = '\nif (a < b) {\n  x = "</script>";\n}\nwhile (x) {\n  y(z);\n}\n'.repeat(3);
const vocab = Vocab.fromText(TEXT);
const { model } = lineCounterLstm(vocab, 4, 1);

function page(): { html: string; data: PageData; ranked: ReturnType<typeof findUnits> } {
  const trace = traceText(model, vocab, TEXT, { topK: 3 });
  const ranked = findUnits(trace, 'line-position', 3);
  const opts = { title: 'test page', initial: ranked[0].quantity,
    ranking: { title: 'ranked', units: ranked.map((r) => ({ quantity: r.quantity, label: describeQuantity(r.quantity) })) } };
  return { html: renderHtmlPage(trace, opts), data: pageData(trace, opts), ranked };
}

function embedded(html: string): PageData {
  const m = /<script type="application\/json" id="charlm-data">([^]*?)<\/script>/.exec(html);
  assert.ok(m !== null, 'the page embeds its data');
  return JSON.parse(m[1]) as PageData;
}

function decode(entry: { absMax: number; bytes: string }): number[] {
  return Array.from(new Int8Array(Buffer.from(entry.bytes, 'base64')), (b) => (b / 127) * entry.absMax);
}

describe('inspect --html: the page', () => {
  it('embeds the text, every unit\'s values, predictions and the ranking, readable without a browser', () => {
    const { html, data, ranked } = page();
    const got = embedded(html);
    assert.deepEqual(got, JSON.parse(JSON.stringify(data)));
    assert.equal(got.symbols.join(''), TEXT);
    const trace = traceText(model, vocab, TEXT);
    for (const kind of ['cell', 'hidden', 'forget'] as const) {
      const q = kind === 'forget' ? { kind: 'gate' as const, layer: 0, gate: kind, unit: 2 } : { kind, layer: 0, unit: 1 };
      const want = valuesOf(trace, q);
      const entry = got.series[0][kind][q.unit];
      decode(entry).forEach((v, n) => assert.ok(Math.abs(v - want[n]) <= entry.absMax / 127 + 1e-6, `${kind} at ${n}`));
      assert.deepEqual(entry.scale, scaleOf(q, want));
    }
    assert.equal(got.predictions[5].length, 3);
    assert.deepEqual(got.ranking!.units.map((u) => u.quantity), ranked.map((r) => r.quantity));
  });

  it('is self-contained: no external file or address, and the text cannot close its script', () => {
    const { html } = page();
    assert.doesNotMatch(html, /\b(src|href)=|https?:|@import|url\(/i);
    assert.equal(html.match(/<\/script>/g)!.length, 2); // the data block's and the script's own
    assert.match(html, /default-src 'none'/);
  });

  it('charlm inspect --html writes the page and says where', async (t) => {
    const dir = await tmpDir(t);
    const path = await saveHandBuilt(dir, 'planted.json', lineCounterLstm(vocab, 4, 1));
    const out = join(dir, 'page.html');
    const r = await runCli(['inspect', path, TEXT, '--find', 'line-position', '--html', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /wrote .*page\.html/);
    const missing = await runCli(['inspect', path, TEXT, '--html', join(dir, 'no', 'such', 'dir', 'p.html')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^charlm: cannot write .*ENOENT/);
  });
});

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

describe('inspect --html in headless Chromium', () => {
  it('shows the coloured text, and clicking a ranked unit changes the colours', async (t) => {
    if (CHROMIUM === undefined) {
      t.skip('no Chromium at /usr/bin/chromium: the browser check of the page was skipped (the embedded data is checked above)');
      return;
    }
    const { chromium } = await import('playwright-core');
    // A fresh profile (--user-data-dir); removed only once the browser has closed, with retries while it lets go of it.
    const dir = await mkdtemp(join(tmpdir(), 'charlm-chromium-'));
    const file = join(dir, 'page.html');
    const { html } = page();
    await writeFile(file, html);
    const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM, headless: true, chromiumSandbox: false, offline: true,
      args: ['--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    t.after(async () => {
      await context.close();
      await rm(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
    });
    const tab = await context.newPage();
    const requests: string[] = [];
    tab.on('request', (req) => { if (!req.url().startsWith('file:')) requests.push(req.url()); });
    await tab.goto(pathToFileURL(file).href);
    const colours = (): Promise<string[]> => tab.$$eval('#text span', (spans) => spans.map((s) => (s as unknown as { style: { backgroundColor: string } }).style.backgroundColor));
    const before = await colours();
    assert.equal(before.length, [...TEXT].length);
    // The page colours its stored values with the terminal's scale and colours (colour-scale.ts).
    const { data, ranked } = page();
    const q = ranked[0].quantity as { kind: 'cell'; unit: number };
    const entry = data.series[0][q.kind][q.unit];
    const stored = decode(entry);
    const expected = (n: number): string => `rgb(${colourAt(positionOnScale(stored[n], entry.scale), entry.scale.diverging).join(', ')})`;
    for (const n of [0, 7, 20]) assert.equal(before[n], expected(n));
    assert.ok(new Set(before).size > 5, 'the planted counter gives many different colours');
    const shot = await tab.screenshot({ fullPage: true });
    assert.ok(shot.length > 1000 && shot.subarray(1, 4).toString() === 'PNG');
    assert.equal(await tab.textContent('#label'), 'layer 0 unit 1 cell');
    await tab.click('#ranking button:nth-of-type(2)');
    const after = await colours();
    assert.notDeepEqual(after, before);
    assert.match((await tab.textContent('#label'))!, /^layer 0 unit \d+ /);
    await tab.hover('#text span[data-i="5"]');
    assert.match((await tab.textContent('#tip'))!, /position 5 .*\nvalue .*surprise .*\nnext: /s);
    assert.deepEqual(requests, []);
  });
});
