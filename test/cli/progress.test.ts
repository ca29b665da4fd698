// The training display (src/cli/progress.ts) rendered through a fake terminal at 60, 80 and 120 columns: every line
// fits, fields are dropped or shortened whole (never cut), each validation stays above the live line, and the live
// line ends showing the final validation.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evalLine, statusLine, TrainProgressView } from '../../src/cli/progress.js';
import type { TrainEvent } from '../../src/train/events.js';
import { FakeTerminal } from '../helpers/fake-terminal.js';

function runView(columns: number): FakeTerminal {
  const term = new FakeTerminal(columns);
  const view = new TrainProgressView({
    quiet: false, interactive: true, stream: term, write: (line) => term.write(line + '\n'), dim: (s) => s,
  });
  const emit = (e: TrainEvent): void => view.listener(e);
  emit({ kind: 'start', startStep: 0, totalSteps: 400, chunksPerEpoch: 105, params: 35835, vocabSize: 59,
    trainChars: 54000, valChars: 6000, resumed: false });
  let best = Number.POSITIVE_INFINITY;
  for (let step = 1; step <= 400; step++) {
    emit({ kind: 'step', step, epoch: step / 105, trainLoss: 4 - step / 200, gradNorm: 1, learningRate: 6e-3,
      charsPerSec: 41234, elapsedMs: step * 20, progress: step / 400 });
    if (step % 100 === 0) {
      const valLoss = 3.5 - step / 400 + (step === 300 ? 0.5 : 0);
      const improved = valLoss < best;
      best = Math.min(best, valLoss);
      emit({ kind: 'eval', step, valLoss, bestValLoss: best, improved });
    }
    if (step === 200) emit({ kind: 'sample', step, text: 'To be, or not to be, that is the question: '.repeat(4) + '\nend\r' });
  }
  emit({ kind: 'stop', step: 400, reason: 'steps' });
  return term;
}

describe('the training display', () => {
  for (const columns of [60, 80, 120]) {
    it(`fits ${columns} columns, keeps each validation above the live line and ends on the final validation`, () => {
      const term = runView(columns);
      const screen = term.screen();
      assert.equal(term.overflow, 0, screen.join('\n'));
      for (const line of screen) assert.ok([...line].length < columns, `${[...line].length} columns: ${line}`);
      const evals = screen.filter((l) => /^step \d+:/.test(l));
      assert.deepEqual(evals.map((l) => l.match(/^step (\d+):/)![1]), ['100', '200', '300', '400']);
      assert.match(evals[2]!, /validation 3\.2500 nats/);
      assert.match(evals[2]!, /best 3\.0000 at step 200/);
      const sampleAt = screen.findIndex((l) => l === 'sample at step 200:');
      assert.ok(sampleAt > 0 && screen[sampleAt + 1]!.startsWith('  To be, or not'), 'the sample is shown above the live line');
      assert.ok(screen.some((l) => l.includes('\\u000d')), 'a bare carriage return in a sample is shown escaped');
      // The live line, left at the bottom: the whole budget, the final validation.
      const live = screen.filter((l) => l.includes('400/400'));
      assert.equal(live.length, 1, screen.join('\n'));
      assert.match(live[0]!, /val 2\.5000/);
      assert.match(live[0]!, /loss 2\.0000/);
    });
  }

  it('after Ctrl-C has finished the live line, the step being finished adds no second status line', () => {
    const term = new FakeTerminal(80);
    const view = new TrainProgressView({
      quiet: false, interactive: true, stream: term, write: (line) => term.write(line + '\n'), dim: (s) => s,
    });
    view.listener({ kind: 'start', startStep: 0, totalSteps: 400, chunksPerEpoch: 105, params: 35835, vocabSize: 59,
      trainChars: 54000, valChars: 6000, resumed: false });
    const step = (n: number): TrainEvent => ({ kind: 'step', step: n, epoch: n / 105, trainLoss: 3, gradNorm: 1,
      learningRate: 6e-3, charsPerSec: 41234, elapsedMs: n * 20, progress: n / 400 });
    view.listener(step(1));
    view.finish();  // what the interrupt handler does
    view.listener(step(2));
    view.listener({ kind: 'stop', step: 2, reason: 'interrupted' });
    const status = term.screen().filter((l) => /step \d+\/400/.test(l));
    assert.equal(status.length, 1, term.screen().join('\n'));
  });

  it('drops and shortens whole fields by priority as the width shrinks', () => {
    const s = { step: 900, totalSteps: 2000, epoch: 4.5, trainLoss: 1.8234, valLoss: 1.9012, bestValLoss: 1.895,
      learningRate: 0.004, charsPerSec: 31234, elapsedMs: 60_000, fraction: 0.45 };
    const wide = statusLine(s, 200, true);
    for (const field of ['45%', 'step 900/2000', 'epoch 4.50', 'loss 1.8234', 'val 1.9012', 'best 1.8950', '31.2k chars/s', 'ETA 1m13s']) {
      assert.ok(wide.includes(field), `${field} in ${wide}`);
    }
    for (const width of [59, 79, 119]) {
      const line = statusLine(s, width, true);
      assert.ok([...line].length <= width, line);
      for (const field of ['900/2000', 'loss 1.8234', 'val 1.9012', 'ETA 1m13s']) assert.ok(line.includes(field), `${field} in ${line}`);
    }
    const narrow = statusLine(s, 59, true);
    assert.ok(!narrow.includes('epoch') && !narrow.includes('lr '), narrow);
  });

  it('a validation line gives the latest and the best loss and fits', () => {
    const line = evalLine({ kind: 'eval', step: 500, valLoss: 1.8, bestValLoss: 1.7, improved: false }, 250, 1.75, 59);
    assert.match(line, /^step 500:  validation 1\.8000 nats/);
    assert.match(line, /best 1\.7000 at step 250/);
    assert.ok(line.length <= 59);
  });
});
