// The process exit codes and which error gets which. Only the CLI decides exit codes; the library just throws.

import { CommanderError } from 'commander';
import { CharlmError, InterruptedError, UsageError } from '../errors.js';

export const ExitCode = {
  ok: 0,
  /** The work failed: a bad file, a diverged run, a failed check. */
  failure: 1,
  /** The command line was wrong: unknown flag, missing argument, bad flag value. */
  usage: 2,
  /** Stopped by Ctrl-C / SIGTERM (128 + SIGINT, as shells report it). */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** What kind of error this is, for both the exit code and how main.ts prints it. */
export type ErrorKind = 'exit' | 'usage' | 'charlm' | 'interrupted' | 'internal';

export function errorKind(err: unknown): ErrorKind {
  if (err instanceof CommanderError) {
    // --help and --version end through exitOverride with code 0; so does nothing else.
    return err.exitCode === 0 ? 'exit' : 'usage';
  }
  if (err instanceof UsageError) return 'usage';
  if (err instanceof InterruptedError) return 'interrupted';
  if (err instanceof CharlmError) return 'charlm';
  return 'internal';
}

export function exitCodeFor(err: unknown): ExitCode {
  switch (errorKind(err)) {
    case 'exit':
      return ExitCode.ok;
    case 'usage':
      return ExitCode.usage;
    case 'interrupted':
      return ExitCode.interrupted;
    case 'charlm':
    case 'internal':
      return ExitCode.failure;
  }
}
