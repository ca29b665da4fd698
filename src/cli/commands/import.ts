// `charlm import FILE.safetensors -o MODEL.json`: a safetensors file that charlm exported, or that PyTorch wrote under
// the same names, as a charlm model file (src/model-file/exchange.ts).

import { Command, Option } from 'commander';
import { CELLS, parameterCount, type Cell } from '../../config/model-config.js';
import { importSafetensors } from '../../model-file/exchange.js';
import { SafetensorsReader } from '../../model-file/safetensors.js';
import { saveModel } from '../../model-file/write.js';
import { readCorpus } from '../../text/corpus.js';
import { Vocab } from '../../text/vocab.js';
import { log, writeJson } from '../output.js';
import { checkOutputFree, withExtension } from './export.js';

interface ImportFlags {
  output?: string;
  vocab?: string;
  lineMode?: boolean;
  cell?: Cell;
  force?: boolean;
  json?: boolean;
}

export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description('read a safetensors file (from charlm export or PyTorch) into a charlm model file')
    .argument('<file>', 'a .safetensors file')
    .option('-o, --output <model>', 'the model file to write (default: the file\'s name with .json)')
    .option('--vocab <text>', 'for a file without charlm metadata: the training text, whose characters are the vocabulary')
    .option('--line-mode', 'with --vocab: the model was trained in line mode')
    .addOption(new Option('--cell <cell>', 'for a file without charlm metadata: the cell (needed for rnn-relu)').choices(CELLS))
    .option('--force', 'replace the output file if it exists')
    .option('--json', 'print what was written as JSON on stdout')
    .addHelpText('after', `
Examples:
  $ charlm import trained.safetensors -o models/trained.json
  $ charlm import state_dict.safetensors -o models/mine.json --vocab corpora/tinyshakespeare.txt

Tensors must have charlm's PyTorch names and shapes. F32 is read as is; F16 and BF16 are widened to float32 exactly.
A file without charlm metadata gets its config from the tensor shapes (dropout 0) and its vocabulary from --vocab.`)
    .action(async (file: string, flags: ImportFlags) => {
      const output = flags.output ?? withExtension(file, '.safetensors', '.json');
      const vocab = flags.vocab === undefined ? undefined
        : Vocab.fromText((await readCorpus(flags.vocab)).text, { lineMode: flags.lineMode === true });
      const reader = await SafetensorsReader.open(file);
      let saved;
      try {
        saved = await importSafetensors(reader, { vocab, cell: flags.cell });
      } finally {
        await reader.close();
      }
      await checkOutputFree(output, flags.force === true);
      await saveModel(output, saved);
      const result = { file, output, cell: saved.config.cell, layers: saved.config.numLayers, hiddenSize: saved.config.hiddenSize,
        vocabSize: saved.config.vocabSize, params: parameterCount(saved.config),
        dtypes: [...new Set(reader.header.entries.map((e) => e.dtype))] };
      if (flags.json === true) writeJson(result);
      else log(`imported ${file} (${result.dtypes.join(', ')}${result.dtypes.some((d) => d !== 'F32') ? ', widened to float32' : ''}) ` +
        `into ${output}: ${result.cell}, ${result.layers} × ${result.hiddenSize}, ${result.params.toLocaleString('en-US')} parameters`);
    });
}
