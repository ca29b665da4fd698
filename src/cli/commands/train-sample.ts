// The short sample printed when training ends: read back from the saved best model, so it shows what `generate` will give.

import { sample } from '../../decode/sampling.js';
import { CharLM } from '../../model/char-lm.js';
import { loadModel } from '../../model-file/read.js';
import { createKernels } from '../../tensor/create-kernels.js';
import { Rng } from '../../tensor/rng.js';

export async function sampleSummaryText(modelPath: string, length: number, seed: number): Promise<string> {
  const saved = await loadModel(modelPath);
  const model = CharLM.fromWeights(saved.config, createKernels('f32'), saved.weights);
  let text = '';
  for (const c of sample(model, saved.vocab, { length, temperature: 0.8 }, Rng.fromSeed(seed))) text += c.char;
  return text;
}
