// `charlm eval MODEL FILE`: how well a saved model predicts a text (src/decode/scoring.ts), per text or per line, with an
// optional n-gram baseline (src/decode/ngram.ts) fitted on a training text for comparison.

import { Command, InvalidArgumentError } from 'commander';
import { NgramModel, type NgramSmoothing } from '../../decode/ngram.js';
import { encodeForScoring, scoreLines, scoreText, splitLines, WARMUP_CHARS, type TextScore } from '../../decode/scoring.js';
import { scoreWithQuantizedGates, type GateScore } from '../../inspect/hard-gates.js';
import { readCorpus } from '../../text/corpus.js';
import { quoteChar } from '../../text/vocab.js';
import { UsageError } from '../../errors.js';
import { choiceOf, nonNegativeInt, positiveInt } from '../flags.js';
import { writeData, writeJson } from '../output.js';
import { loadForDecoding } from '../decoding-input.js';
import { applyThreads, threadsOption } from '../threads.js';

interface EvalFlags {
  threads?: number;
  json?: boolean;
  perLine?: boolean;
  context?: number;
  ngram?: number;
  ngramTrain?: string;
  ngramSmoothing: NgramSmoothing;
  streams?: number;
  hardGates?: boolean;
  gateBits?: number;
}

interface NgramReport {
  order: number;
  smoothing: NgramSmoothing;
  discount: number;
  train: string;
  chars: number;
  natsPerChar: number;
  bitsPerChar: number;
  perplexity: number;
}

export interface EvalReport extends TextScore {
  model: string;
  file: string;
  ngram?: NgramReport;
  gates?: GateScore[];
}

const DEFAULT_NGRAM_ORDER = 5;
const f4 = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : 'nan');

function render(r: EvalReport): string {
  const rows: [string, string][] = [
    ['model', r.model],
    ['text', `${r.file}: ${r.chars.toLocaleString('en-US')} characters scored`],
    ['loss', `${f4(r.natsPerChar)} nats/char = ${f4(r.bitsPerChar)} bits/char, perplexity ${r.perplexity.toFixed(3)}`],
  ];
  if (r.unknownChars > 0) {
    const list = Object.entries(r.unknown).sort((a, b) => b[1] - a[1]).slice(0, 10)
      .map(([ch, n]) => `${quoteChar(ch)} ×${n}`).join(', ');
    rows.push(['unknown', `${r.unknownChars} characters outside the vocabulary were skipped: ${list}`]);
  }
  if (r.ngram !== undefined) {
    const g = r.ngram;
    rows.push([`${g.order}-gram`, `${f4(g.natsPerChar)} nats/char = ${f4(g.bitsPerChar)} bits/char, perplexity ` +
      `${g.perplexity.toFixed(3)} (${g.smoothing}, d = ${g.discount}, fitted on ${g.train})`]);
    const gain = g.bitsPerChar - r.bitsPerChar;
    rows.push(['compared', `the network is ${f4(Math.abs(gain))} bits/char ${gain >= 0 ? 'better' : 'worse'} than the ${g.order}-gram`]);
  }
  for (const g of r.gates ?? []) {
    const change = g.bitsPerChar - r.bitsPerChar;
    rows.push([g.gateBits === 1 ? 'hard gates' : `${g.gateBits}-bit gates`, `${f4(g.natsPerChar)} nats/char = ${f4(g.bitsPerChar)} ` +
      `bits/char, perplexity ${g.perplexity.toFixed(3)} (${change >= 0 ? '+' : '−'}${f4(Math.abs(change))} bits/char)`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n';
}

export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('score a text with a trained model: cross-entropy, bits per character, perplexity')
    .argument('<model>', 'a model file written by charlm train')
    .argument('<file>', "the text to score, or '-' for standard input")
    .option('--per-line', 'score every line on its own: bitsPerChar<TAB>logProb<TAB>line, in input order')
    .option('--context <n>', 'with --per-line: read the n lines before each line first (unscored), for lines that depend on each other', nonNegativeInt)
    .option('--ngram <n>', `also fit a character n-gram of order n on --ngram-train (default ${DEFAULT_NGRAM_ORDER}) and report its loss`, positiveInt)
    .option('--ngram-train <file>', 'the training text for the n-gram baseline')
    .option('--ngram-smoothing <kind>', 'kneser-ney (interpolated) or absolute (interpolated absolute discounting)',
      choiceOf(['kneser-ney', 'absolute'] as const), 'kneser-ney')
    .option('--streams <n>', 'score a long text as n parallel streams, each warmed up on the text before it (default: automatic)', positiveInt)
    .option('--hard-gates', 'also score with every sigmoid gate replaced by a 0/1 step (LSTM, GRU)')
    .option('--gate-bits <k>', 'also score with the sigmoid gates rounded to k bits (2^k levels from 0 to 1)', positiveInt)
    .option('--json', 'print the result as JSON (JSON lines with --per-line)')
    .addOption(threadsOption())
    .addHelpText('after', `
Examples:
  $ charlm eval models/tinyshakespeare.json corpora/tinyshakespeare.txt
  $ charlm eval models/tinyshakespeare.json test.txt --ngram 5 --ngram-train corpora/tinyshakespeare.txt
  $ charlm eval models/words.json candidates.txt --per-line | sort -n | head
  $ charlm eval models/tinyshakespeare.json dialogue.txt --per-line --context 3

Every character after the first is predicted from all before it; characters the model never saw are counted, reported
and skipped. A long text is scored as parallel streams; each reads the ${WARMUP_CHARS} characters before its part first (unscored),
so the figure equals --streams 1 within 1e-4 nats/char.
--per-line scores each line from the start state, after a line break and including the line break that ends it
(in line mode: <start>, the line, <end>); --context N reads the N lines before it first, as the text has them. The n-gram baseline is interpolated Kneser-Ney by default (d = 0.75).`)
    .action(async (modelPath: string, file: string, flags: EvalFlags) => {
      applyThreads(flags.threads);
      if (flags.ngram !== undefined && flags.ngramTrain === undefined) throw new InvalidArgumentError('--ngram needs --ngram-train FILE');
      if (flags.perLine === true && flags.ngramTrain !== undefined) throw new InvalidArgumentError('--per-line cannot be combined with --ngram');
      if (flags.context !== undefined && flags.perLine !== true) throw new InvalidArgumentError('--context needs --per-line');
      if (flags.perLine === true && (flags.hardGates === true || flags.gateBits !== undefined)) {
        throw new InvalidArgumentError('--per-line cannot be combined with --hard-gates or --gate-bits');
      }
      const { model, vocab } = await loadForDecoding(modelPath);
      if ((flags.context ?? 0) > 0 && vocab.lineMode) {
        throw new UsageError('--context has no effect on a line-mode model: every line starts from the start state');
      }
      // A model trained with --keep-cr knows "\r": its texts are read the same way.
      const corpus = await readCorpus(file, process.stdin, { keepCr: vocab.idOf('\r') !== undefined });
      if (flags.perLine === true) {
        for (const s of scoreLines(model, vocab, splitLines(corpus.text), { context: flags.context })) {
          if (flags.json === true) {
            writeData(JSON.stringify({ line: s.line, chars: s.chars, logProb: s.logProb, natsPerChar: s.natsPerChar,
              bitsPerChar: s.bitsPerChar, unknownChars: s.unknownChars }) + '\n');
          } else {
            writeData(`${f4(s.bitsPerChar)}\t${f4(s.logProb)}\t${s.line}\n`);
          }
        }
        return;
      }
      const score = scoreText(model, vocab, corpus.text, { streams: flags.streams });
      const report: EvalReport = { ...score, model: modelPath, file };
      if (flags.ngramTrain !== undefined) {
        const order = flags.ngram ?? DEFAULT_NGRAM_ORDER;
        const train = encodeForScoring(vocab, (await readCorpus(flags.ngramTrain)).text).ids;
        const ngram = NgramModel.fit(train, order, { vocabSize: vocab.size, smoothing: flags.ngramSmoothing });
        const ce = ngram.crossEntropy(encodeForScoring(vocab, corpus.text).ids, { ignoreTarget: vocab.bos });
        report.ngram = {
          order, smoothing: ngram.smoothing, discount: ngram.discount, train: flags.ngramTrain, chars: ce.chars,
          natsPerChar: ce.natsPerChar, bitsPerChar: ce.natsPerChar / Math.LN2, perplexity: Math.exp(ce.natsPerChar),
        };
      }
      const gateBits = [...(flags.hardGates === true ? [1] : []), ...(flags.gateBits === undefined ? [] : [flags.gateBits])];
      if (gateBits.length > 0) report.gates = scoreWithQuantizedGates(model, vocab, corpus.text, gateBits, { streams: flags.streams });
      if (flags.json === true) writeJson(report);
      else writeData(render(report));
    });
}
