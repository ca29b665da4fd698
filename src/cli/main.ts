// The charlm command line: builds the commander program, registers each command, runs it, and turns whatever was
// thrown into at most two lines on stderr and an exit code (cli/exit-codes.ts). Commands live in cli/commands/.

import { Command, CommanderError } from 'commander';
import { charlmVersion } from '../model-file/format.js';
import type { UsageError } from '../errors.js';
import { errorKind, exitCodeFor, ExitCode } from './exit-codes.js';
import { colors, log } from './output.js';
import { installDefaultSignalExit } from './signals.js';
import { safeText } from '../text/quote.js';

/** An error line longer than this is cut (a message quoting a damaged file stays readable). */
const MAX_MESSAGE_CHARS = 400;
// To add a command: one import here and one register call in buildProgram.
import { registerInfoCommand } from './commands/info.js';
import { registerVocabCommand } from './commands/vocab.js';
import { registerTrainCommand } from './commands/train.js';
import { registerGradcheckCommand } from './commands/gradcheck.js';
import { registerGenerateCommand } from './commands/generate.js';
import { registerBeamCommand } from './commands/beam.js';
import { registerEvalCommand } from './commands/eval.js';
import { registerPlotCommand } from './commands/plot.js';
import { registerInspectCommand } from './commands/inspect.js';
import { registerExportCommand } from './commands/export.js';
import { registerImportCommand } from './commands/import.js';
import { registerGradflowCommand } from './commands/gradflow.js';
import { registerFillCommand } from './commands/fill.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('charlm')
    .description('Character-level language models (LSTM, GRU, RNN) for the terminal: train, generate, beam search, evaluate.')
    .version(charlmVersion(), '-V, --version', 'print the version')
    .option('--debug', 'print the stack trace of an error (also CHARLM_DEBUG=1)')
    // Commands created after these calls inherit them: commander throws instead of exiting, and main() prints the error.
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .showSuggestionAfterError(true)
    .addHelpText('after', `
Examples:
  $ charlm vocab corpora/tinyshakespeare.txt
  $ charlm train corpora/tinyshakespeare.txt --size small
  $ charlm generate models/tinyshakespeare.json --length 500
  $ charlm info models/tinyshakespeare.json

Run charlm COMMAND --help for a command's flags.`);

  registerVocabCommand(program);
  registerInfoCommand(program);
  registerTrainCommand(program);
  registerGradcheckCommand(program);
  registerGenerateCommand(program);
  registerBeamCommand(program);
  registerEvalCommand(program);
  registerPlotCommand(program);
  registerInspectCommand(program);
  registerExportCommand(program);
  registerImportCommand(program);
  registerGradflowCommand(program);
  registerFillCommand(program);
  return program;
}

/** The subcommand named on the command line, for the "(see charlm X --help)" pointer. */
function commandNamed(program: Command, args: readonly string[]): string | null {
  const names = new Set(program.commands.flatMap((c) => [c.name(), ...c.aliases()]));
  return args.find((a) => names.has(a)) ?? null;
}

/** A message on one line, cut short and with control characters escaped: a last guard for text a file put into an error. */
function oneLine(text: string): string {
  return safeText(text.replace(/\s*\n\s*/g, ' ').trim(), MAX_MESSAGE_CHARS);
}

/** Prints `err` as one line, `charlm: … (hint: …)`, on stderr and returns the exit code. */
export function reportError(err: unknown, program: Command, args: readonly string[], debug: boolean): ExitCode {
  const code = exitCodeFor(err);
  const prefix = colors.red('charlm:');
  const withHint = (hint: string | undefined): string => (hint === undefined ? '' : ' ' + colors.dim(`(hint: ${oneLine(hint)})`));
  switch (errorKind(err)) {
    case 'exit':
      return code;
    case 'usage': {
      const e = err as CommanderError | UsageError;
      if ('code' in e && e.code === 'commander.help') return code; // no command given: commander has already shown the help
      const name = commandNamed(program, args);
      const message = oneLine(e.message.replace(/^error:\s*/i, '')).replace(/\(Did you mean/g, '(did you mean');
      const hint = 'hint' in e ? e.hint : undefined;
      log(`${prefix} ${message}${hint === undefined ? ` (see charlm${name === null ? '' : ' ' + name} --help)` : withHint(hint)}`);
      break;
    }
    case 'charlm':
    case 'interrupted': {
      const e = err as Error & { hint?: string };
      log(`${prefix} ${oneLine(e.message)}${withHint(e.hint)}`);
      break;
    }
    case 'internal': {
      const message = err instanceof Error ? err.message : String(err);
      log(`${prefix} internal error: ${oneLine(message)}${withHint(debug ? undefined : 'run again with --debug to see where it happened')}`);
      break;
    }
  }
  if (debug && err instanceof Error && err.stack !== undefined && errorKind(err) !== 'usage') log(colors.dim(err.stack));
  return code;
}

export async function main(argv: readonly string[]): Promise<void> {
  installDefaultSignalExit();
  const program = buildProgram();
  const args = argv.slice(2);
  const debug = args.includes('--debug') || process.env.CHARLM_DEBUG === '1';
  try {
    await program.parseAsync([...argv]);
    process.exitCode = ExitCode.ok;
  } catch (err) {
    const code = reportError(err, program, args, debug);
    // Exit now: an error may leave timers or streams open that would otherwise keep the process alive.
    process.exit(code);
  }
}

await main(process.argv);
