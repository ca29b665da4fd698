// `charlm beam MODEL`: the most probable continuations by beam search (src/decode/beam-search.ts), printed best first.

import { Command, InvalidArgumentError, Option } from 'commander';
import { beamSearch, MAX_BEAM_WIDTH, type Hypothesis } from '../../decode/beam-search.js';
import { encodePrime } from '../../decode/sampling.js';
import type { UnknownPolicy } from '../../text/vocab.js';
import { choiceOf, nonNegativeInt, nonNegativeNumber, positiveInt } from '../flags.js';
import { colors, log, writeData, writeJson } from '../output.js';
import { loadForDecoding, primeFromFlags, unescapeFlag } from '../decoding-input.js';
import { applyThreads, threadsOption } from '../threads.js';

interface BeamFlags {
  threads?: number;
  width: number;
  length: number;
  nBest: number;
  lengthPenalty: number;
  prime?: string;
  primeFile?: string;
  stop?: string;
  unknown: UnknownPolicy;
  json?: boolean;
}

function beamWidth(raw: string): number {
  const width = positiveInt(raw);
  if (width > MAX_BEAM_WIDTH) throw new InvalidArgumentError(`"${raw}" is wider than the widest beam, ${MAX_BEAM_WIDTH}.`);
  return width;
}

function header(rank: number, h: Hypothesis): string {
  return `#${rank} logProb ${h.logProb.toFixed(4)}  score ${h.score.toFixed(4)}  ${h.length} chars (${h.finish})`;
}

export function registerBeamCommand(program: Command): void {
  program
    .command('beam')
    .description('find high-probability continuations by beam search')
    .argument('<model>', 'a model file written by charlm train')
    .option('-w, --width <beams>', `hypotheses kept at each step (1 = greedy decoding, at most ${MAX_BEAM_WIDTH})`, beamWidth, 8)
    .option('-n, --length <chars>', 'most characters per hypothesis, not counting the prime', nonNegativeInt, 100)
    .option('--n-best <k>', 'print the k best hypotheses', positiveInt, 1)
    .option('--length-penalty <a>', 'rank by logProb / length^a: 0 ranks by probability, larger favours longer text', nonNegativeNumber, 0)
    .addOption(new Option('-p, --prime <text>', 'text the model reads first and continues (escapes: \\n \\t \\\\)').conflicts('primeFile'))
    .option('--prime-file <file>', 'read the prime from a file')
    .option('--stop <text>', 'a hypothesis ends right after producing this text (escapes: \\n \\t \\\\)')
    .option('--unknown <policy>', 'prime characters the model never saw: error, skip or replace (with "?")',
      choiceOf(['error', 'skip', 'replace'] as const), 'error')
    .option('--json', 'print a JSON array of {text, logProb, score, length, finish, prime}, best first')
    .addOption(threadsOption())
    .addHelpText('after', `
Examples:
  $ charlm beam models/tinyshakespeare.json --prime "KING:" --width 16 --length 80
  $ charlm beam models/words.json --n-best 10 --length-penalty 0.7 --json

All live hypotheses advance as one batch through the network. logProb is the natural-log probability of the continuation
(in line mode including the end of the line); the result is never less probable than greedy decoding (--width 1).
With one hypothesis its text goes to stdout and its scores to stderr; with --n-best K each comes under a "#rank" line.`)
    .action(async (path: string, flags: BeamFlags) => {
      applyThreads(flags.threads);
      const { model, vocab } = await loadForDecoding(path);
      const prime = vocab.decode(encodePrime(vocab, await primeFromFlags(flags, vocab.lineMode), flags.unknown));
      const best = beamSearch(model, vocab, {
        width: flags.width, length: flags.length, nBest: flags.nBest, lengthPenalty: flags.lengthPenalty, prime,
        unknown: flags.unknown, stop: flags.stop === undefined ? undefined : unescapeFlag(flags.stop),
      });
      if (flags.json === true) {
        writeJson(best.map((h) => ({ text: h.text, logProb: h.logProb, score: h.score, length: h.length, finish: h.finish, prime })));
        return;
      }
      const withNewline = (s: string): string => (s.endsWith('\n') ? s : s + '\n');
      if (flags.nBest === 1) {
        writeData(withNewline(prime + best[0].text));
        log(colors.dim(header(1, best[0])));
        return;
      }
      best.forEach((h, i) => {
        if (i > 0) writeData('\n');
        writeData(header(i + 1, h) + '\n' + withNewline(prime + h.text));
      });
    });
}
