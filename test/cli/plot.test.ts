// Loss curves: the verdict drawn from a log, `charlm plot` in the terminal, and its SVG parsed back into the log's series.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { judgeCurves, parseTrainingLog, type CurvePoint } from '../../src/train/curves.js';
import { renderLossChart } from '../../src/cli/loss-chart.js';
import { runCli } from '../helpers/run-cli.js';
import { tmpDir } from '../helpers/tmp.js';

/** A log as charlm train writes it: a line per step, a line per validation. */
function logText(steps: number, valAt: (step: number) => number, evalEvery = 50): string {
  const lines: string[] = [];
  for (let step = 1; step <= steps; step++) {
    lines.push(JSON.stringify({ step, epoch: 0, trainLoss: 1 + 3 * Math.exp(-step / 80), valLoss: null, gradNorm: 1,
      learningRate: 0.004, charsPerSec: 1000, elapsedMs: step }));
    if (step % evalEvery === 0) {
      lines.push(JSON.stringify({ step, epoch: 0, trainLoss: null, valLoss: valAt(step), gradNorm: null, learningRate: null,
        charsPerSec: null, elapsedMs: step }));
    }
  }
  return lines.join('\n') + '\n';
}

const falling = (step: number): number => 1.2 + 3 * Math.exp(-step / 80);
const overfit = (step: number): number => (step <= 200 ? falling(step) : falling(200) + (step - 200) / 500);

/** The polylines of an SVG written by plot --svg, mapped back to steps and losses through the plot area's data range. */
function seriesOf(svg: string): Map<string, CurvePoint[]> {
  const area = svg.match(/<g id="plot-area" ([^>]*)>/)![1]!;
  const attr = (name: string): number => Number(area.match(new RegExp(`${name}="([^"]+)"`))![1]);
  const [left, right, top, bottom] = ['data-left', 'data-right', 'data-top', 'data-bottom'].map(attr) as [number, number, number, number];
  const [xMin, xMax, yMin, yMax] = ['data-x-min', 'data-x-max', 'data-y-min', 'data-y-max'].map(attr) as [number, number, number, number];
  const out = new Map<string, CurvePoint[]>();
  for (const m of svg.matchAll(/<polyline data-series="([^"]+)"[^>]* points="([^"]+)"\/>/g)) {
    out.set(m[1]!, m[2]!.split(' ').map((pair) => {
      const [px, py] = pair.split(',').map(Number) as [number, number];
      return { step: xMin + ((px - left) / (right - left)) * (xMax - xMin), loss: yMin + ((bottom - py) / (bottom - top)) * (yMax - yMin) };
    }));
  }
  return out;
}

/** Every tag opened is closed in order: a well-formed document (no DTD, no CDATA: we write neither). */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  for (const m of svg.replace(/<\?xml[^>]*\?>/, '').matchAll(/<(\/?)([a-zA-Z]+)([^>]*?)(\/?)>/g)) {
    if (m[1] === '/') assert.equal(stack.pop(), m[2]);
    else if (m[4] !== '/') stack.push(m[2]!);
  }
  assert.deepEqual(stack, []);
  assert.doesNotMatch(svg.replace(/<[^>]*>/g, ''), /[<>]/);
}

describe('loss curves', () => {
  it('judges a falling validation curve as improving and a rising one as overfitting since its best step', () => {
    assert.equal(judgeCurves(parseTrainingLog(logText(400, falling), 'a')).kind, 'improving');
    const verdict = judgeCurves(parseTrainingLog(logText(400, overfit), 'b'));
    assert.deepEqual(verdict.kind === 'overfitting' && verdict.bestStep, 200);
  });

  it('refuses a file that is not a training log with one clear error', async (t) => {
    const dir = await tmpDir(t);
    const bad = join(dir, 'x.log.jsonl');
    writeFileSync(bad, 'hello\n');
    const r = await runCli(['plot', bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /line 1 is not a line of a charlm training log/);
  });

  it('draws the terminal chart within the width asked, with the advice', async (t) => {
    const dir = await tmpDir(t);
    const path = join(dir, 'run.log.jsonl');
    writeFileSync(path, logText(400, overfit));
    const r = await runCli(['plot', path, '--width', '70']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    for (const line of lines) assert.ok([...line].length <= 70, line);
    assert.ok(lines.some((l) => l.includes('step 1 ') && l.includes('step 400')));
    assert.ok(lines.some((l) => l.includes('training') && l.includes('validation')));
    assert.match(r.stdout, /overfitting since step 200/);
    assert.equal(renderLossChart([{ name: 'x', curves: parseTrainingLog(logText(400, falling), 'x') }], 60, false).length > 10, true);
  });

  it('--svg writes a standalone SVG whose series are the logs\' losses', async (t) => {
    const dir = await tmpDir(t);
    const a = join(dir, 'a.log.jsonl');
    const b = join(dir, 'b.log.jsonl');
    writeFileSync(a, logText(300, falling));
    writeFileSync(b, logText(200, overfit, 25));
    const svgPath = join(dir, 'chart.svg');
    const r = await runCli(['plot', a, b, '--svg', svgPath]);
    assert.equal(r.code, 0, r.stderr);
    const svg = readFileSync(svgPath, 'utf8');
    assertWellFormed(svg);
    assert.match(svg, /^<\?xml[^>]*\?>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    for (const label of ['>step<', '>loss (nats/char)<', '>a training<', '>a validation<', '>b training<', '>b validation<']) {
      assert.ok(svg.includes(label), label);
    }
    const series = seriesOf(svg);
    for (const [name, text] of [['a', readFileSync(a, 'utf8')], ['b', readFileSync(b, 'utf8')]] as const) {
      const log = parseTrainingLog(text, name);
      for (const [kind, points] of [['training', log.train], ['validation', log.validation]] as const) {
        const drawn = series.get(`${name} ${kind}`)!;
        assert.equal(drawn.length, points.length, `${name} ${kind}`);
        drawn.forEach((p, i) => {
          assert.ok(Math.abs(p.step - points[i]!.step) < 0.02 && Math.abs(p.loss - points[i]!.loss) < 1e-3, `${name} ${kind} [${i}]`);
        });
      }
    }
  });
});
