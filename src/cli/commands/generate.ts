// `charlm generate MODEL`: samples text from a saved model and streams each character to stdout as it is produced.
// The sampling itself lives in src/decode/sampling.ts; this file reads flags, picks the seed and renders.

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Command, Option } from 'commander';
import { encodePrime, sample, type GenerateOptions } from '../../decode/sampling.js';
import { Rng } from '../../tensor/rng.js';
import type { UnknownPolicy } from '../../text/vocab.js';
import { loadForDecoding, primeFromFlags, unescapeFlag } from '../decoding-input.js';
import { choiceOf, integer, nonNegativeInt, nonNegativeNumber, positiveInt, probability } from '../flags.js';
import { colors, isStdoutClosed, log, stderrIsInteractive, writeData } from '../output.js';
import { applyThreads, threadsOption } from '../threads.js';

interface GenerateFlags {
  threads?: number;
  length: number;
  prime?: string;
  primeFile?: string;
  temperature: number;
  topK?: number;
  topP?: number;
  greedy?: boolean;
  seed?: number;
  count: number;
  stop?: string;
  lines?: number;
  unknown: UnknownPolicy;
  json?: boolean;
  logprobs?: boolean;
}

/** One sample as --json prints it (one object per line). */
export interface SampleRecord {
  index: number;
  text: string;
  logProb: number;
  chars: number;
  seed: number;
  prime: string;
  logProbs?: number[];
  /** Line mode, when the line ended by itself: ln P of its end symbol (included in logProb, as eval --per-line does). */
  endLogProb?: number;
}

export function registerGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description('sample text from a trained model, streaming it character by character')
    .argument('<model>', 'a model file written by charlm train')
    .option('-n, --length <chars>', 'characters to produce per sample, not counting the prime', nonNegativeInt, 500)
    .addOption(new Option('-p, --prime <text>', 'text the model reads first and continues (escapes: \\n \\t \\\\)').conflicts('primeFile'))
    .option('--prime-file <file>', 'read the prime from a file')
    .option('-t, --temperature <t>', 'divide the logits by t: below 1 is safer, above 1 wilder; 0 is greedy', nonNegativeNumber, 1)
    .option('--top-k <k>', 'sample only among the k most likely characters', positiveInt)
    .option('--top-p <p>', 'sample only among the most likely characters that together have probability p', probability)
    .option('--greedy', 'always take the most likely character (same as --temperature 0)')
    .option('--seed <n>', 'random seed; the same seed gives the same text (default: from the clock)', integer)
    .option('--count <n>', 'how many samples', positiveInt, 1)
    .option('--stop <text>', 'end a sample right after it produces this text, e.g. "\\n\\n" (escapes: \\n \\t \\\\)')
    .option('--lines <n>', 'line-mode model: produce n lines (one per sample); otherwise stop after n line breaks', positiveInt)
    .option('--unknown <policy>', 'prime characters the model never saw: error, skip or replace (with "?")',
      choiceOf(['error', 'skip', 'replace'] as const), 'error')
    .option('--json', 'print one JSON object per sample per line: text, logProb, chars, seed, prime')
    .option('--logprobs', 'with --json add "logProbs", the log-probability of each character; otherwise print totals on stderr')
    .addOption(threadsOption())
    .addHelpText('after', `
Examples:
  $ charlm generate models/tinyshakespeare.json --length 300 --prime "ROMEO:" --temperature 0.8
  $ charlm generate models/tinyshakespeare.json --seed 42 --stop "\\n\\n" --count 3
  $ charlm generate models/words.json --lines 10 --top-k 5
  $ charlm generate models/tinyshakespeare.json --json --logprobs --length 50 | jq .logProb

The output is the prime followed by the generated text. "logProb" is the natural-log probability the model gives the
generated characters (at temperature 1, whatever the sampling flags; in line mode including the end of the line), so
runs can be compared with beam and eval --per-line.
Samples are separated by a blank line (and a rule on a terminal); --json prints JSON lines, one object per sample,
where "text" is the generated part only. Without --seed a seed is taken from the clock; --json reports it.`)
    .action(async (path: string, flags: GenerateFlags) => {
      applyThreads(flags.threads);
      const { model, vocab } = await loadForDecoding(path);
      // Shown as the model reads it: with --unknown skip or replace, that differs from what was typed.
      const prime = vocab.decode(encodePrime(vocab, await primeFromFlags(flags, vocab.lineMode), flags.unknown));
      const seed = flags.seed ?? Date.now() % 2_147_483_648;
      if (flags.seed === undefined && flags.json !== true && stderrIsInteractive()) log(colors.dim(`seed ${seed}`));
      const rng = Rng.fromSeed(seed);
      const lineLimit = vocab.lineMode ? null : flags.lines ?? null;
      const count = vocab.lineMode && flags.lines !== undefined ? flags.lines : flags.count;
      const opts: GenerateOptions = {
        length: flags.length, prime, temperature: flags.temperature, topK: flags.topK, topP: flags.topP,
        greedy: flags.greedy, unknown: flags.unknown, stop: flags.stop === undefined ? undefined : unescapeFlag(flags.stop),
      };
      for (let index = 0; index < count && !isStdoutClosed(); index++) {
        if (index > 0 && flags.json !== true && !vocab.lineMode) writeData(separator());
        const chars = sample(model, vocab, opts, rng); // throws here, before any output, for a bad stop string
        if (flags.json !== true) writeData(prime);
        const record: SampleRecord = { index, text: '', logProb: 0, chars: 0, seed, prime };
        const logProbs: number[] = [];
        let breaks = 0;
        let lastChar = prime.slice(-1);
        for (const c of chars) {
          if (c.end === true) {
            record.logProb += c.logProb;
            if (flags.logprobs === true) record.endLogProb = c.logProb;
            break;
          }
          if (flags.json === true) record.text += c.char; // the terminal gets each character as it comes instead
          lastChar = c.char;
          record.logProb += c.logProb;
          record.chars++;
          if (flags.logprobs === true) logProbs.push(c.logProb);
          if (flags.json !== true) writeData(c.char);
          // Let a closed pipe (| head) report itself, and stop as soon as it has.
          if (record.chars % 64 === 0) {
            await yieldToEventLoop();
            if (isStdoutClosed()) return;
          }
          if (lineLimit !== null && c.char === '\n' && ++breaks >= lineLimit) break;
        }
        if (flags.json === true) {
          if (flags.logprobs === true) record.logProbs = logProbs;
          writeData(JSON.stringify(record) + '\n');
        } else {
          if (lastChar !== '\n') writeData('\n');
          if (flags.logprobs === true) {
            // As eval --per-line counts them: a line's end is one more predicted symbol.
            const symbols = record.chars + (record.endLogProb === undefined ? 0 : 1);
            const bits = symbols > 0 ? -record.logProb / symbols / Math.LN2 : 0;
            log(colors.dim(`logProb ${record.logProb.toFixed(4)} over ${symbols} chars (${bits.toFixed(4)} bits/char)`));
          }
        }
      }
    });
}

/** Between samples: a blank line, and on a terminal a dim rule as well. */
function separator(): string {
  if (process.stdout.isTTY !== true) return '\n';
  return '\n' + (colors.level > 0 ? colors.dim('─'.repeat(40)) : '─'.repeat(40)) + '\n';
}
