// `charlm fill MODEL "text with a ___ blank"`: fills for the blank ranked by the model's log-probability of the whole text,
// from a candidates file or a beam search over the blank (src/inspect/fill.ts).

import { Command } from 'commander';
import { rankCandidates, searchFills, splitBlank, type Fill } from '../../inspect/fill.js';
import { readCorpus } from '../../text/corpus.js';
import { splitLines } from '../../decode/scoring.js';
import { positiveInt } from '../flags.js';
import { colors, log, writeData, writeJson } from '../output.js';
import { applyThreads, threadsOption } from '../threads.js';
import { loadForDecoding, unescapeFlag } from '../decoding-input.js';

interface FillFlags {
  candidates?: string;
  maxLen: number;
  width: number;
  top: number;
  json?: boolean;
  threads?: number;
}

export function registerFillCommand(program: Command): void {
  program
    .command('fill')
    .description('fill the blank in a text: fills ranked by the log-probability of the whole text, before and after the blank')
    .argument('<model>', 'a model file written by charlm train')
    .argument('<text>', 'the text, with one blank written as ___ (escapes: \\n \\t \\\\)')
    .option('--candidates <file>', "rank these fills, one per line ('-' for standard input), instead of searching")
    .option('--max-len <n>', 'search: the longest fill tried, in characters', positiveInt, 12)
    .option('--width <w>', 'search: partial fills kept per length by each of the two rankings', positiveInt, 8)
    .option('--top <n>', 'fills shown (default: every candidate, or 10 for a search)', positiveInt)
    .option('--json', 'print the fills as JSON')
    .addOption(threadsOption())
    .addHelpText('after', `
Examples:
  $ charlm fill models/tinyshakespeare.json "O Romeo, ___, wherefore art thou Romeo?"
  $ printf 'buy\\nsell\\nrepair\\n' | charlm fill models/english.json "my phone is broken, I plan to ___ a new phone" --candidates -

Each fill is put into the blank and the whole text scored, read after a line break and followed by one (line mode: the
start and end symbols), so the words after the blank weigh as much as those before it. logProb is ln P of the whole
text; the fills differ by the difference of their logProbs. The search extends every partial fill by each character,
scores it with the suffix, and keeps the best --width by that score and the best --width by the text before the blank
alone (a half-written word makes the suffix unlikely until it is complete).`)
    .action(async (modelPath: string, rawText: string, flags: FillFlags) => {
      applyThreads(flags.threads);
      const blank = splitBlank(unescapeFlag(rawText));
      const { model, vocab } = await loadForDecoding(modelPath);
      let fills: Fill[];
      if (flags.candidates !== undefined) {
        const candidates = splitLines((await readCorpus(flags.candidates)).text);
        fills = rankCandidates(model, vocab, blank, candidates).slice(0, flags.top);
        const unknown = fills.filter((f) => f.unknownChars > 0).length;
        if (unknown > 0) log(colors.dim(`${unknown} candidates hold characters the model does not know; they are ranked last`));
      } else {
        fills = searchFills(model, vocab, blank, { maxLength: flags.maxLen, width: flags.width, top: flags.top ?? 10 });
      }
      if (flags.json === true) {
        writeJson({ model: modelPath, prefix: blank.prefix, suffix: blank.suffix,
          method: flags.candidates === undefined ? 'search' : 'candidates', fills });
        return;
      }
      const best = fills[0]?.logProb ?? 0;
      writeData(fills.map((f, i) => `${String(i + 1).padStart(3)}  ${f.logProb.toFixed(3).padStart(10)}  ` +
        `${(f.logProb - best).toFixed(3).padStart(8)}  ${JSON.stringify(f.fill)}${f.unknownChars > 0 ? '  (unknown characters)' : ''}`).join('\n') + '\n');
    });
}
