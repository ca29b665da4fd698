// Where output goes: data on stdout (a closed pipe ends the program quietly), logs and colour on stderr.
// Colour is off when stderr is not a terminal or NO_COLOR is set (https://no-color.org); FORCE_COLOR turns it on.

import { Chalk, chalkStderr, type ChalkInstance } from 'chalk';

function colorLevel(): 0 | 1 | 2 | 3 {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return 0;
  // chalkStderr's level already accounts for FORCE_COLOR, TERM=dumb and whether stderr is a TTY.
  return chalkStderr.level;
}

/** A chalk instance for stderr text. */
export const colors: ChalkInstance = new Chalk({ level: colorLevel() });

/** True when stderr is a terminal a person watches and colour is allowed: live progress bars are welcome. */
export function stderrIsInteractive(): boolean {
  return process.stderr.isTTY === true && colors.level > 0 && process.env.TERM !== 'dumb';
}

let stdoutClosed = false;

// `charlm generate ... | head` closes the pipe early; the next write fails with EPIPE. That is the reader's choice,
// not an error, so stop quietly with success.
// Any other failure (a full disk, a closed terminal) is the end of the command: one line, exit 1, no stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  stdoutClosed = true;
  if (err.code === 'EPIPE') process.exit(0);
  const reason = err.code === 'ENOSPC' ? 'no space left on the device' : err.code ?? err.message;
  log(`${colors.red('charlm:')} cannot write to standard output: ${reason}`);
  process.exit(1);
});
process.stderr.on('error', () => undefined); // nowhere left to report a stderr failure

/** True once the reader of stdout has gone away; long outputs may stop early. */
export function isStdoutClosed(): boolean {
  return stdoutClosed;
}

/** Writes data (the command's answer) to stdout, as is. */
export function writeData(text: string): void {
  if (stdoutClosed) return;
  process.stdout.write(text);
}

/** Writes one JSON document and a newline to stdout. */
export function writeJson(value: unknown): void {
  writeData(JSON.stringify(value) + '\n');
}

/** Writes a line for people (progress, notes, warnings) to stderr. */
export function log(text: string): void {
  process.stderr.write(text + '\n');
}
