// `charlm export MODEL -o FILE.safetensors`: a model's weights, config and vocabulary as safetensors for PyTorch
// (src/model-file/exchange.ts); `charlm import` is the way back.

import { stat } from 'node:fs/promises';
import { Command } from 'commander';
import { parameterCount } from '../../config/model-config.js';
import { ModelFileError } from '../../errors.js';
import { exportSafetensors } from '../../model-file/exchange.js';
import { loadModel } from '../../model-file/read.js';
import { writeFileAtomic } from '../../model-file/write.js';
import { log, writeJson } from '../output.js';

/** `models/x.json` → `models/x.safetensors` (and the reverse for import). */
export function withExtension(path: string, from: string, to: string): string {
  return path.endsWith(from) ? path.slice(0, -from.length) + to : path + to;
}

/** Refuses to replace an existing file unless --force was given: a model is never lost by a typo. */
export async function checkOutputFree(path: string, force: boolean): Promise<void> {
  if (force) return;
  const exists = await stat(path).then(() => true, () => false);
  if (exists) throw new ModelFileError(`${path} already exists`, { hint: 'use --force to replace it, or -o to choose another name' });
}

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('write a model as safetensors for PyTorch: weights, config and vocabulary, no training state')
    .argument('<model>', 'a model file written by charlm')
    .option('-o, --output <file>', 'the safetensors file to write (default: the model\'s name with .safetensors)')
    .option('--force', 'replace the output file if it exists')
    .option('--json', 'print what was written as JSON on stdout')
    .addHelpText('after', `
Examples:
  $ charlm export models/tinyshakespeare.json -o tinyshakespeare.safetensors
  $ /usr/bin/python3 python/charlm_torch.py score tinyshakespeare.safetensors corpora/tinyshakespeare.txt

The tensors keep the model file's PyTorch names (lstm.weight_ih_l0 ... decoder.bias) as float32; "__metadata__" holds the
config and vocabulary as JSON strings. python/charlm_torch.py builds the matching PyTorch module (see the README).`)
    .action(async (modelPath: string, flags: { output?: string; force?: boolean; json?: boolean }) => {
      const output = flags.output ?? withExtension(modelPath, '.json', '.safetensors');
      const saved = await loadModel(modelPath);
      const pieces = exportSafetensors(saved);
      await checkOutputFree(output, flags.force === true);
      await writeFileAtomic(output, pieces);
      const result = { model: modelPath, output, tensors: saved.weights.size, params: parameterCount(saved.config),
        bytes: pieces.reduce((n, p) => n + p.byteLength, 0) };
      if (flags.json === true) writeJson(result);
      else log(`exported ${result.tensors} tensors (${result.params.toLocaleString('en-US')} parameters) to ${output} (${result.bytes.toLocaleString('en-US')} bytes)`);
    });
}
