// `charlm inspect MODEL [TEXT | --file FILE]`: a text drawn with each character coloured by a unit's cell state or hidden
// output, a gate, or the model's surprise; the top predictions after each character; units ranked by how well they track
// a property of the text (--find) or a selected span (--match). The numbers come from src/inspect/.

import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import chalk, { type ChalkInstance } from 'chalk';
import { Command, InvalidArgumentError } from 'commander';
import { CharlmError, UsageError } from '../../errors.js';
import { renderHtmlPage } from '../../inspect/html-page.js';
import { findUnits, matchUnits, parseSpan, PROPERTIES, PROPERTY_NAMES, type MatchedUnit, type PropertyName,
  type RankedUnit } from '../../inspect/find-units.js';
import { checkQuantity, describeQuantity, scaleOf, valuesOf, type GateName, type Quantity } from '../../inspect/quantities.js';
import { DEFAULT_MAX_SYMBOLS, traceText, type Trace } from '../../inspect/trace.js';
import { readCorpus } from '../../text/corpus.js';
import { choiceOf, nonNegativeInt, positiveInt } from '../flags.js';
import { colors, log, writeData, writeJson } from '../output.js';
import { applyThreads, threadsOption } from '../threads.js';
import { loadForDecoding, unescapeFlag } from '../decoding-input.js';
import { renderLegend, renderValues, type ViewOptions } from './inspect-view.js';

interface InspectFlags {
  file?: string;
  show?: 'cell' | 'hidden' | 'surprise';
  layer: number;
  unit?: number;
  gate?: GateName;
  predictions: number;
  find?: PropertyName;
  match?: string;
  top: number;
  maxChars: number;
  width?: number;
  json?: boolean;
  html?: string;
  threads?: number;
}

const GATES: readonly GateName[] = ['input', 'forget', 'output', 'candidate', 'update', 'reset'];
const DEFAULT_TOP = 5;
/** Characters of text drawn under each unit found by --find or --match. */
const STRETCH = 240;
/** Predictions the page shows on hover (at least). */
const HTML_PREDICTIONS = 5;

/** Colour for stdout: on a terminal (or FORCE_COLOR) and without NO_COLOR. */
function stdoutColor(): ChalkInstance | null {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return null;
  return chalk.level > 0 ? chalk : null;
}

/** The quantity the flags ask for: --gate, else --show, else a unit's state when --unit is given, else surprise. */
function quantityFromFlags(flags: InspectFlags, trace: Trace): Quantity {
  const layer = flags.layer;
  if (flags.gate !== undefined) return { kind: 'gate', layer, gate: flags.gate, unit: flags.unit ?? null };
  const show = flags.show ?? (flags.unit === undefined ? 'surprise' : trace.cell === 'lstm' ? 'cell' : 'hidden');
  if (show === 'surprise') return { kind: 'surprise' };
  if (flags.unit === undefined) throw new UsageError(`--show ${show} needs --unit U (which unit of layer ${layer})`);
  return { kind: show, layer, unit: flags.unit };
}

async function textFromArgs(text: string | undefined, file: string | undefined): Promise<string> {
  if (text !== undefined && file !== undefined) throw new InvalidArgumentError('give the text or --file FILE, not both');
  if (file !== undefined) return (await readCorpus(file)).text;
  if (text !== undefined) return unescapeFlag(text);
  throw new InvalidArgumentError('nothing to inspect: give a text or --file FILE');
}

export function registerInspectCommand(program: Command): void {
  program
    .command('inspect')
    .description('look inside a model: colour a text by a unit, a gate or surprise; find units that track something')
    .argument('<model>', 'a model file written by charlm train')
    .argument('[text]', 'the text to run the model over (escapes: \\n \\t \\\\)')
    .option('--file <file>', "read the text from a file ('-' for standard input)")
    .option('--show <what>', 'colour by: cell (state), hidden (output) or surprise (default: surprise, or the unit\'s state with --unit)',
      choiceOf(['cell', 'hidden', 'surprise'] as const))
    .option('--layer <l>', 'layer, counted from 0 at the bottom', nonNegativeInt, 0)
    .option('--unit <u>', 'unit of the layer, counted from 0', nonNegativeInt)
    .option('--gate <gate>', `colour by a gate's activation (of --unit, else the mean over units): ${GATES.join(', ')}`, choiceOf(GATES))
    .option('--predictions <k>', 'show the k most likely next characters after each character', nonNegativeInt, 0)
    .option('--find <property>', `rank the units that track a property of the text: ${PROPERTY_NAMES.join(', ')}`, choiceOf(PROPERTY_NAMES))
    .option('--match <span>', 'rank the units on inside a span and off outside it: "START..END" as text or positions')
    .option('--top <n>', 'how many units --find and --match list', positiveInt, DEFAULT_TOP)
    .option('--max-chars <n>', 'inspect at most the first n characters', positiveInt, DEFAULT_MAX_SYMBOLS)
    .option('--width <columns>', 'wrap lines at this width (default: the terminal\'s, else 80)', positiveInt)
    .option('--json', 'print the numbers as JSON instead of drawing them')
    .option('--html <file>', 'write one self-contained page instead: the coloured text, a unit picker, the ranked units, predictions on hover')
    .addOption(threadsOption())
    .addHelpText('after', `
Examples:
  $ charlm inspect models/tinyshakespeare.json --file corpora/tinyshakespeare.txt --max-chars 600
  $ charlm inspect models/tinyshakespeare.json "ROMEO:\\nBut soft!" --layer 1 --unit 37 --predictions 3
  $ charlm inspect models/tinyshakespeare.json --file play.txt --gate forget --layer 0
  $ charlm inspect models/tinyshakespeare.json --file play.txt --find line-position
  $ charlm inspect models/code.json --file app.py --match "(..)"
  $ charlm inspect models/tinyshakespeare.json --file play.txt --find line-position --html units.html

Each character's colour is the value once the model has read it; surprise is −ln P of the character given those before it.
Units are counted from 0 and layers from 0 at the bottom, as in the model file's tensor names (weight_hh_l0).
--find ranks every unit's cell state, hidden output and gates by the Pearson correlation with the property;
--match by the best threshold classifier for "inside the span": TPR − FPR (the fraction of the span where the unit is
on minus the fraction of the rest where it is on). Without colour, a row of glyphs ▁▂▃▄▅▆▇█ under each line gives the values.`)
    .action(async (modelPath: string, textArg: string | undefined, flags: InspectFlags) => {
      applyThreads(flags.threads);
      if (flags.find !== undefined && flags.match !== undefined) throw new InvalidArgumentError('--find and --match cannot be combined');
      const text = await textFromArgs(textArg, flags.file);
      const { model, vocab } = await loadForDecoding(modelPath);
      const topK = flags.html === undefined ? flags.predictions : Math.max(flags.predictions, HTML_PREDICTIONS);
      const trace = traceText(model, vocab, text, { topK, maxSymbols: flags.maxChars });
      if (trace.unknownChars > 0) log(colors.dim(`${trace.unknownChars} characters outside the model's vocabulary were left out`));
      if (trace.truncated > 0 && flags.json !== true) log(colors.dim(`inspecting the first ${flags.maxChars} characters (--max-chars)`));
      const view: ViewOptions = { width: flags.width ?? process.stdout.columns ?? 80, color: flags.json === true ? null : stdoutColor() };
      const ranking = flags.find !== undefined || flags.match !== undefined ? rank(trace, flags) : null;
      const q = ranking?.units[0]?.quantity ?? quantityFromFlags(flags, trace);
      checkQuantity(trace, q);
      if (flags.html !== undefined) {
        const page = renderHtmlPage(trace, { title: `charlm inspect ${basename(modelPath)}`, initial: q,
          ranking: ranking === null ? null : { title: ranking.heading, units: ranking.units.map((r) => ({ quantity: r.quantity, label: `${describeQuantity(r.quantity)}: ${scoreText(r)}` })) } });
        await writeTextFile(flags.html, page);
        log(`wrote ${flags.html} (${trace.symbols.length} characters)`);
        return;
      }
      if (ranking !== null) {
        showRanking(trace, ranking, view, modelPath, flags);
        return;
      }
      if (flags.json === true) writeJson(traceJson(trace, q, modelPath));
      else writeData(drawTrace(trace, q, view));
    });
}

function drawTrace(trace: Trace, q: Quantity, view: ViewOptions): string {
  const values = valuesOf(trace, q);
  const scale = scaleOf(q, values);
  let out = renderLegend(describeQuantity(q), scale, view) + renderValues(trace.symbols, values, scale, { from: 0, to: trace.symbols.length }, view);
  if (trace.predictions.some((p) => p.length > 0)) out += predictionTable(trace, values);
  return out;
}

/** One line per position: the character, its value, and the top predictions after it. */
function predictionTable(trace: Trace, values: Float64Array): string {
  const shown = (s: string): string => (s === '' ? '<start>' : JSON.stringify(s)); // line mode's start symbol reads as ''
  return '\nposition  char    value  next (probability)\n' + trace.symbols.map((s, n) =>
    `${String(n).padStart(8)}  ${shown(s).padEnd(6)} ${Number.isFinite(values[n]) ? values[n].toFixed(3).padStart(6) : '     –'}  ` +
    trace.predictions[n].map((p) => `${shown(p.symbol)} ${p.prob.toFixed(3)}`).join('  ')).join('\n') + '\n';
}

function traceJson(trace: Trace, q: Quantity, modelPath: string): unknown {
  const values = valuesOf(trace, q);
  const num = (x: number): number | null => (Number.isFinite(x) ? x : null);
  return {
    model: modelPath, quantity: { ...q, label: describeQuantity(q) }, scale: scaleOf(q, values),
    truncated: trace.truncated, unknownChars: trace.unknownChars,
    positions: trace.symbols.map((char, index) => ({
      index, char, value: num(values[index]), surprise: num(trace.surprise[index]),
      ...(trace.predictions[index].length > 0 ? { predictions: trace.predictions[index] } : {}),
    })),
  };
}

interface Ranking {
  readonly heading: string;
  readonly span: { start: number; end: number } | null;
  readonly units: readonly (RankedUnit | MatchedUnit)[];
}

function rank(trace: Trace, flags: InspectFlags): Ranking {
  const span = flags.match === undefined ? null : parseSpan(flags.match, trace.symbols);
  const units = span === null ? findUnits(trace, flags.find!, flags.top) : matchUnits(trace, span, flags.top);
  const heading = span === null
    ? `units ranked by |Pearson r| with ${flags.find} (${PROPERTIES[flags.find!].describe}) over ${trace.symbols.length} characters`
    : `units ranked by TPR − FPR of the best threshold for positions ${span.start} to ${span.end - 1} ` +
      `(${JSON.stringify(trace.symbols.slice(span.start, span.end).join(''))}) against the other ${trace.symbols.length - (span.end - span.start)}`;
  return { heading, span, units };
}

function showRanking(trace: Trace, ranking: Ranking, view: ViewOptions, modelPath: string, flags: InspectFlags): void {
  const { span, units } = ranking;
  if (flags.json === true) {
    writeJson({ model: modelPath, statistic: span === null ? 'pearson' : 'tpr-fpr', property: flags.find ?? null, span,
      chars: trace.symbols.length, units: units.map((r) => ({ ...r.quantity, label: describeQuantity(r.quantity), ...scoreFields(r) })) });
    return;
  }
  const centre = span === null ? 0 : Math.max(0, span.start - STRETCH / 3);
  const range = { from: centre, to: Math.min(trace.symbols.length, centre + STRETCH) };
  let out = ranking.heading + '\n';
  units.forEach((r, i) => {
    const values = valuesOf(trace, r.quantity);
    out += `\n${i + 1}. ${describeQuantity(r.quantity)}: ${scoreText(r)}\n`;
    out += renderValues(trace.symbols, values, scaleOf(r.quantity, values), range, view);
  });
  writeData(out);
}

/** Writes a file, with a one-line error naming it when that fails. */
async function writeTextFile(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (err) {
    throw new CharlmError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
}

function scoreFields(r: RankedUnit | MatchedUnit): Record<string, number | string> {
  if (!('threshold' in r)) return { score: r.score };
  return { score: r.score, threshold: r.threshold, direction: r.direction, insideOn: r.insideOn, outsideOn: r.outsideOn };
}

function scoreText(r: RankedUnit | MatchedUnit): string {
  if (!('threshold' in r)) return `r = ${r.score >= 0 ? '+' : '−'}${Math.abs(r.score).toFixed(3)}`;
  return `TPR − FPR = ${r.score.toFixed(3)}: on (${r.direction} ${r.threshold.toFixed(3)}) at ` +
    `${(100 * r.insideOn).toFixed(0)}% of the span and ${(100 * r.outsideOn).toFixed(1)}% of the rest`;
}
