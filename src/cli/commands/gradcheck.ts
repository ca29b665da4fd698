// `charlm gradcheck`: checks backpropagation against finite differences on a small float64 model and prints the worst
// relative error per parameter tensor. Exits 1 (CheckFailedError) when any tensor fails.

import { Command } from 'commander';
import { gradCheck, type GradCheckResult } from '../../check/gradcheck.js';
import { CELLS, type Cell } from '../../config/model-config.js';
import { CheckFailedError, UsageError } from '../../errors.js';
import { cellType } from '../../nn/cells.js';
import { choiceOf, integer, nonNegativeInt, positiveInt } from '../flags.js';
import { writeData, writeJson } from '../output.js';

interface GradcheckFlags {
  cell: Cell | 'all';
  layers: number;
  hiddenSize: number;
  projSize: number;
  vocabSize: number;
  steps: number;
  batchSize: number;
  seed: number;
  json?: boolean;
}

interface CellReport extends GradCheckResult {
  readonly cell: Cell;
}

function renderTable(reports: readonly CellReport[], threshold: number): string {
  const rows = reports.flatMap((r) => r.results.map((t) => [
    r.cell, t.name, t.maxRelError.toExponential(2), t.maxRelError < threshold ? 'ok' : 'FAIL',
  ]));
  const header = ['cell', 'parameter', 'max rel. error', 'verdict'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export function registerGradcheckCommand(program: Command): void {
  program
    .command('gradcheck')
    .description('check the analytic gradients against finite differences (float64, every parameter element)')
    .option('--cell <cell>', `recurrent cell to check: ${CELLS.join(', ')} or all`, choiceOf<Cell | 'all'>([...CELLS, 'all']), 'all')
    .option('--layers <n>', 'stacked recurrent layers', positiveInt, 2)
    .option('--hidden-size <units>', 'units per layer', positiveInt, 4)
    .option('--proj-size <units>', 'LSTM: project h to this many units, fewer than --hidden-size (0: none)', nonNegativeInt, 0)
    .option('--vocab-size <symbols>', 'symbols in the toy vocabulary', positiveInt, 5)
    .option('--steps <T>', 'time steps in the chunk', positiveInt, 4)
    .option('--batch-size <B>', 'parallel streams in the chunk', positiveInt, 2)
    .option('--seed <n>', 'random seed for weights, data and the carried-in state', integer, 1)
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText('after', '\nExamples:\n  $ charlm gradcheck\n  $ charlm gradcheck --cell gru --layers 1 --hidden-size 8 --json\n  $ charlm gradcheck --cell lstm --proj-size 3\n')
    .action((flags: GradcheckFlags) => {
      // With a projection, "all" means every cell type that can project.
      const cells: Cell[] = flags.cell === 'all' ? CELLS.filter((c) => flags.projSize === 0 || cellType(c).projects) : [flags.cell];
      if (flags.projSize >= flags.hiddenSize) throw new UsageError('--proj-size must be smaller than --hidden-size');
      if (flags.projSize > 0 && !cells.every((c) => cellType(c).projects)) {
        throw new UsageError(`--proj-size needs a cell that projects: ${CELLS.filter((c) => cellType(c).projects).join(', ')}`);
      }
      const reports: CellReport[] = cells.map((cell) => ({
        cell,
        ...gradCheck({
          cell, numLayers: flags.layers, hiddenSize: flags.hiddenSize, projSize: flags.projSize,
          vocabSize: Math.max(2, flags.vocabSize),
          T: flags.steps, B: flags.batchSize, seed: flags.seed, carriedState: true,
        }),
      }));
      const threshold = reports[0].threshold;
      const worst = Math.max(...reports.map((r) => r.worst));
      const passed = reports.every((r) => r.passed);
      const failures = reports.flatMap((r) => r.results.filter((t) => !(t.maxRelError < threshold)));
      if (flags.json === true) {
        writeJson({ passed, worst, threshold, cells: reports.map((r) => ({ cell: r.cell, passed: r.passed, worst: r.worst,
          results: r.results })) });
      } else {
        writeData(renderTable(reports, threshold));
        writeData(passed
          ? `passed: all ${reports.reduce((n, r) => n + r.results.length, 0)} tensors agree (worst ${worst.toExponential(2)} < ${threshold.toExponential(0)})\n`
          : `FAILED: ${failures.length} tensor(s) at or above ${threshold.toExponential(0)} (worst ${worst.toExponential(2)})\n`);
      }
      if (!passed) {
        throw new CheckFailedError(`gradient check failed: ${failures.map((t) => t.name).join(', ')} ` +
          `disagree with finite differences (worst relative error ${worst.toExponential(2)})`);
      }
    });
}
