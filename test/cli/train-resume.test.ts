// `charlm train --resume`: which flags a resumed run may change (train-flags.ts), the others refused with exit code 2,
// and a resume with nothing left to do.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS, PRESETS } from '../../src/config/presets.js';
import { loadModel } from '../../src/model-file/read.js';
import { linesOf, runCli } from '../helpers/run-cli.js';
import { tmpDir } from '../helpers/tmp.js';
import { pseudoEnglish } from '../helpers/tiny-corpus.js';

const SMALL = ['--size', 'tiny', '--hidden-size', '16', '--seq-length', '16', '--batch-size', '4', '--eval-chars', '300'];

async function trainedModel(dir: string): Promise<{ file: string; latest: string }> {
  const file = join(dir, 'tiny.txt');
  writeFileSync(file, pseudoEnglish(5000));
  const r = await runCli(['train', file, ...SMALL, '--steps', '4', '--eval-every', '2', '-o', join(dir, 'r.json'), '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  return { file, latest: join(dir, 'r.latest.json') };
}

describe('charlm train --resume', () => {
  it('changes the budget, learning rate, schedule, evaluation, patience and dropout', async (t) => {
    const dir = await tmpDir(t);
    const { file, latest } = await trainedModel(dir);
    const r = await runCli(['train', file, '--resume', latest, '--steps', '7', '--lr', '0.001', '--schedule', 'constant',
      '--warmup', '1', '--eval-every', '3', '--eval-chars', '200', '--patience', '4', '--dropout', '0.25', '--quiet', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { steps: number }).steps, 7);
    const saved = await loadModel(latest);
    const tc = saved.training!.trainConfig as Record<string, any>;
    assert.equal(tc.learningRate, 0.001);
    assert.deepEqual([tc.schedule.kind, tc.schedule.warmupSteps], ['constant', 1]);
    assert.deepEqual([tc.evalEvery, tc.evalChars, tc.patience, tc.model.dropout], [3, 200, 4, 0.25]);
    assert.equal(saved.config.dropout, 0.25);
  });

  it('refuses every other training flag that disagrees with the model, with exit code 2 and one line', async (t) => {
    const dir = await tmpDir(t);
    const { file, latest } = await trainedModel(dir);
    for (const flags of [['--hidden-size', '32'], ['--cell', 'gru'], ['--seq-length', '8'], ['--optimizer', 'sgd'],
      ['--clip', '1'], ['--seed', '9'], ['--val-frac', '0.2'], ['--line-mode'], ['--size', 'small']]) {
      const r = await runCli(['train', file, '--resume', latest, '--steps', '8', ...flags]);
      assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /cannot change when resuming/);
      assert.equal(linesOf(r.stderr).filter((l) => l.startsWith('charlm:')).length, 1);
    }
  });

  it('accepts the flags of the original command again (--size tiny and the same shape)', async (t) => {
    const dir = await tmpDir(t);
    const { file, latest } = await trainedModel(dir);
    const r = await runCli(['train', file, ...SMALL, '--resume', latest, '--steps', '6', '--quiet', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { steps: number }).steps, 6);
  });

  it('says there is nothing to do when the budget is already spent, with exit code 2 and the command to extend', async (t) => {
    const dir = await tmpDir(t);
    const { file, latest } = await trainedModel(dir);
    const r = await runCli(['train', file, '--resume', latest]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /nothing to do: the model has already trained 4 steps/);
    assert.match(r.stderr, new RegExp(`--resume ${latest.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} --steps 8`));
    assert.equal((await loadModel(latest)).training?.steps, 4, 'nothing was saved');
  });

  it("shows each training flag's default from DEFAULTS and the presets in the help, or that it is chosen", async () => {
    const r = await runCli(['train', '--help']);
    assert.equal(r.code, 0);
    const help = r.stdout.replace(/\s+/g, ' ');
    assert.match(help, new RegExp(`units per layer \\(default: chosen; tiny ${PRESETS.tiny.model!.hiddenSize}, ` +
      `small ${PRESETS.small.model!.hiddenSize}, medium ${DEFAULTS.model.hiddenSize}, large ${PRESETS.large.model!.hiddenSize}\\)`));
    assert.match(help, new RegExp(`--lr <rate> base learning rate \\(default: chosen; tiny ${PRESETS.tiny.learningRate},`));
    assert.match(help, new RegExp(`--clip <norm> .* \\(default: ${DEFAULTS.gradClip}\\)`));
    assert.match(help, /A resumed run may change --dropout, --lr, --schedule, --warmup, --steps/);
  });
});
