import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Chalk } from 'chalk';
import { renderLegend, renderValues } from '../../src/cli/commands/inspect-view.js';
import { scoreIds, scoreLines } from '../../src/decode/scoring.js';
import { findUnits, matchUnits, parseSpan, pearson, propertyValues } from '../../src/inspect/find-units.js';
import { valuesOf } from '../../src/inspect/quantities.js';
import { traceText } from '../../src/inspect/trace.js';
import { Vocab } from '../../src/text/vocab.js';
import { lineCounterLstm, saveHandBuilt } from '../helpers/hand-built.js';
import { runCli } from '../helpers/run-cli.js';
import { tinyModel } from '../helpers/tiny-model.js';
import { tmpDir } from '../helpers/tmp.js';

// Starts with a line break, as the planted counter's first line would otherwise count from 0 instead of 1.
const LINES = '\nto be\nor not to be, that is\nthe question:\nwhether tis nobler in the mind\nto suffer\n'.repeat(3);

describe('inspect: the trace', () => {
  it('holds what one forward over the whole text computes, across chunk boundaries', async () => {
    const { model, vocab, text } = await tinyModel();
    const long = text.repeat(2); // > 128 symbols: several chunks
    const trace = traceText(model, vocab, long, { maxSymbols: 1000, topK: 3 });
    const ids = vocab.encode(long);
    const N = ids.length;
    const pass = model.forward(ids, ids, N, 1, model.createState(1), { training: false });
    const H = model.config.hiddenSize;
    for (const n of [0, 127, 128, 129, N - 1]) {
      for (let j = 0; j < H; j++) {
        assert.equal(trace.layers[0].hiddens[n * H + j], Math.fround(pass.layers[0].hiddens[(n + 1) * H + j]));
        assert.equal(trace.layers[0].cells![n * H + j], Math.fround(pass.layers[0].cells![(n + 1) * H + j]));
      }
      for (let g = 0; g < 4 * H; g++) assert.equal(trace.layers[0].gates![n * 4 * H + g], Math.fround(pass.layers[0].gates![n * 4 * H + g]));
      // The top 3 predictions are the 3 largest logits of the row, in order.
      const V = vocab.size;
      const row = Array.from(pass.logits.subarray(n * V, (n + 1) * V));
      const best = row.map((x, id) => ({ x, id })).sort((a, b) => b.x - a.x || a.id - b.id).slice(0, 3).map((e) => vocab.symbolOf(e.id));
      assert.deepEqual(trace.predictions[n].map((p) => p.symbol), best);
    }
  });

  it('has surprises that sum to the exact score of the text, and top predictions in order', async () => {
    const { model, vocab, text } = await tinyModel();
    const trace = traceText(model, vocab, text, { topK: 3 });
    assert.ok(Number.isNaN(trace.surprise[0]));
    let total = 0;
    for (let n = 1; n < trace.surprise.length; n++) total += trace.surprise[n];
    const exact = scoreIds(model, vocab.encode(text), { streams: 1 });
    assert.ok(Math.abs(total - exact.nats) < 1e-6 * exact.nats, `${total} vs ${exact.nats}`);
    for (let n = 0; n + 1 < trace.symbols.length; n++) {
      const p = trace.predictions[n];
      assert.equal(p.length, 3);
      assert.ok(p[0].prob >= p[1].prob && p[1].prob >= p[2].prob);
      const next = p.find((q) => q.symbol === trace.symbols[n + 1]);
      if (next !== undefined) assert.ok(Math.abs(-Math.log(next.prob) - trace.surprise[n + 1]) < 1e-9);
    }
  });
  it('in line mode restarts every line from the start state, so its surprises sum to the per-line scores', async () => {
    const { model, vocab } = await tinyModel({ lineMode: true });
    const lines = ['to be', 'or not', 'to be'];
    const trace = traceText(model, vocab, lines.join('\n') + '\n');
    let total = 0;
    for (let n = 0; n < trace.surprise.length; n++) if (!Number.isNaN(trace.surprise[n])) total += trace.surprise[n];
    const perLine = scoreLines(model, vocab, lines).reduce((sum, l) => sum - l.logProb, 0);
    assert.ok(Math.abs(total - perLine) < 1e-6 * perLine, `${total} vs ${perLine}`);
  });
});

describe('inspect: finding units', () => {
  const vocab = Vocab.fromText(LINES);

  it('--find line-position ranks the planted line counter first, with r = 1', () => {
    const { model } = lineCounterLstm(vocab, 6, 4);
    const trace = traceText(model, vocab, LINES);
    const [best] = findUnits(trace, 'line-position', 3);
    assert.deepEqual(best.quantity, { kind: 'cell', layer: 0, unit: 4 });
    assert.ok(best.score > 0.99999, `r = ${best.score}`);
    // The property itself, computed independently: characters since the last "\n".
    const lp = propertyValues(trace, 'line-position');
    let since = 0;
    [...LINES].forEach((ch, n) => { since = ch === '\n' ? 0 : since + 1; assert.equal(lp[n], since); });
  });

  it('pearson is ±1 on affine copies and 0 on a constant', () => {
    assert.ok(Math.abs(pearson([1, 2, 3, 5], [3, 5, 7, 11]) - 1) < 1e-12);
    assert.ok(Math.abs(pearson([1, 2, 3, 5], [-1, -2, -3, -5]) + 1) < 1e-12);
    assert.equal(pearson([1, 2, 3], [4, 4, 4]), 0);
  });

  it('--match finds a unit that is on inside the span and off outside it', () => {
    const { model } = lineCounterLstm(vocab, 6, 2);
    const trace = traceText(model, vocab, LINES);
    // The end of the longest line is where the counter is highest: c > 0.05 · 25 only there.
    const span = parseSpan('nobler..mind', trace.symbols);
    assert.equal(trace.symbols.slice(span.start, span.end).join(''), 'nobler in the mind');
    const [best] = matchUnits(trace, span, 3);
    assert.deepEqual(best.quantity, { kind: 'cell', layer: 0, unit: 2 });
    assert.equal(best.direction, 'above');
    const values = valuesOf(trace, best.quantity);
    let tp = 0, fp = 0;
    values.forEach((v, n) => { if (v > best.threshold) { if (n >= span.start && n < span.end) tp++; else fp++; } });
    assert.ok(Math.abs(best.insideOn - tp / (span.end - span.start)) < 1e-12);
    assert.ok(Math.abs(best.outsideOn - fp / (values.length - span.end + span.start)) < 1e-12);
    assert.ok(Math.abs(best.score - (best.insideOn - best.outsideOn)) < 1e-12);
    assert.deepEqual(parseSpan('3..9', trace.symbols), { start: 3, end: 9 });
    assert.throws(() => parseSpan('9..3', trace.symbols), /START < END/);
  });
});

describe('inspect: drawing', () => {
  const symbols = [...'ab\ncd'];
  const values = [-1, 0, 0.5, 1, Number.NaN];
  const scale = { min: -1, max: 1, diverging: true };

  it('without colour draws a row of glyphs under each line, one per column', () => {
    const out = renderValues(symbols, values, scale, { from: 0, to: 5 }, { width: 80, color: null });
    assert.equal(out, 'ab↵\n▁▅▇\ncd\n█\n');
    const wrapped = renderValues([...'xxxxxxxxxy'], new Array(10).fill(0), scale, { from: 0, to: 10 }, { width: 8, color: null });
    assert.equal(wrapped, 'xxxxxxxx\n▅▅▅▅▅▅▅▅\nxy\n▅▅\n');
    assert.match(renderLegend('x', scale, { width: 80, color: null }), /^-1\.00 ▁+.*█+ 1\.00 \(middle 0\.00\)  x\n$/);
  });

  it('with colour paints each character\'s background, blue for low and red for high', () => {
    const out = renderValues(symbols, values, scale, { from: 0, to: 5 }, { width: 80, color: new Chalk({ level: 3 }) });
    assert.match(out, /\x1b\[48;2;31;119;180m[^a]*a/);   // -1: blue
    assert.match(out, /\x1b\[48;2;214;39;40m[^c]*c/);    // +1: red
    assert.doesNotMatch(out, /▁/);
  });
});

describe('charlm inspect (CLI)', () => {
  it('--find line-position names the planted unit; --json gives per-character numbers', async (t) => {
    const vocab = Vocab.fromText(LINES);
    const path = await saveHandBuilt(await tmpDir(t), 'planted.json', lineCounterLstm(vocab, 5, 3));
    const found = await runCli(['inspect', path, LINES, '--find', 'line-position', '--top', '2', '--json']);
    assert.equal(found.code, 0, found.stderr);
    const report = JSON.parse(found.stdout);
    assert.equal(report.statistic, 'pearson');
    assert.deepEqual([report.units[0].kind, report.units[0].unit], ['cell', 3]);
    const shown = await runCli(['inspect', path, '\\nto be\\nor', '--unit', '3', '--json', '--predictions', '2']);
    const positions = JSON.parse(shown.stdout).positions;
    assert.deepEqual(positions.map((p: { value: number }) => Math.round(p.value / 0.05)), [1, 2, 3, 4, 5, 6, 1, 2, 3]);
    assert.equal(positions[0].surprise, null);
    assert.equal(positions[1].predictions.length, 2);
    const plain = await runCli(['inspect', path, LINES, '--find', 'line-position', '--top', '1'], { env: { NO_COLOR: '1' } });
    assert.match(plain.stdout, /^units ranked by \|Pearson r\| with line-position/);
    assert.match(plain.stdout, /1\. layer 0 unit 3 cell state: r = \+1\.000\n↵\n▁\nto be↵\n▁▁▂▂▂▁\n/);
  });

  it('a unit or gate the model does not have is a usage error on one line', async () => {
    const { path } = await tinyModel();
    for (const args of [['--unit', '99'], ['--layer', '3', '--unit', '0'], ['--gate', 'reset']]) {
      const r = await runCli(['inspect', path, 'the cat', ...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
    const none = await runCli(['inspect', path]);
    assert.equal(none.code, 2);
  });
});
