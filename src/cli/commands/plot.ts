// `charlm plot LOG…`: the loss curves of one or more training logs in the terminal, and with --svg as an SVG file.

import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Option, type Command } from 'commander';
import { CorpusError } from '../../errors.js';
import { judgeCurves, parseTrainingLog } from '../../train/curves.js';
import { positiveInt } from '../flags.js';
import { wrapWords } from '../fit-line.js';
import { adviceLines, renderLossChart, type ChartRun } from '../loss-chart.js';
import { colors, log, writeData } from '../output.js';
import { renderSvgChart } from '../svg-chart.js';

/** Logs larger than this are refused (a 10,000-step log is about 2 MB). */
const MAX_LOG_BYTES = 512 * 1024 * 1024;

async function readLog(path: string): Promise<ChartRun> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_LOG_BYTES) throw new CorpusError(`${path} is larger than ${MAX_LOG_BYTES / 1024 ** 2} MB`);
    text = bytes.toString('utf8');
  } catch (err) {
    if (err instanceof CorpusError) throw err;
    throw new CorpusError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return { name: basename(path).replace(/\.log\.jsonl$/, ''), curves: parseTrainingLog(text, path) };
}

export function registerPlotCommand(program: Command): void {
  program
    .command('plot')
    .description('draw the loss curves of training logs (NAME.log.jsonl) in the terminal, or as an SVG file')
    .argument('<logs...>', 'one or more logs written by charlm train')
    .option('--svg <file>', 'also write the chart as a standalone SVG file (axes, labels, legend)')
    .addOption(new Option('--height <rows>', 'rows of the terminal chart').argParser(positiveInt).default(12))
    .addOption(new Option('--width <columns>', 'columns of the terminal chart (default: the terminal width, else 80)')
      .argParser(positiveInt))
    .addHelpText('after', `
Examples:
  $ charlm plot models/tinyshakespeare.log.jsonl
  $ charlm plot models/a.log.jsonl models/b.log.jsonl --svg curves.svg`)
    .action(async (logs: string[], flags: { svg?: string; height: number; width?: number }) => {
      const runs = await Promise.all(logs.map(readLog));
      const width = Math.max(40, flags.width ?? process.stdout.columns ?? 80);
      const colorize = process.stdout.isTTY === true && colors.level > 0;
      const lines = renderLossChart(runs, width, colorize, flags.height);
      for (const run of runs) {
        const advice = adviceLines(judgeCurves(run.curves), { continueCommand: null, bestModel: null });
        lines.push(...advice.flatMap((line) => wrapWords(runs.length > 1 ? `${run.name}: ${line}` : line, width)));
      }
      writeData(lines.join('\n') + '\n');
      if (flags.svg !== undefined) {
        await writeFile(flags.svg, renderSvgChart(runs, `charlm: ${runs.map((r) => r.name).join(', ')}`));
        log(colors.dim(`chart written to ${flags.svg}`));
      }
    });
}
