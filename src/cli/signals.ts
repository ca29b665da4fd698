// Ctrl-C and SIGTERM. Outside training they end charlm at once with exit code 130 (from the first moment main.ts runs, so a
// SIGTERM during start-up does not end with the shell's 143). During training they become an AbortSignal, so training
// finishes its step and saves; a second Ctrl-C quits at once. Either way no temporary file of a save is left behind.

import { removeUnfinishedWrites } from '../model-file/write.js';
import { ExitCode } from './exit-codes.js';

export interface InterruptHandle {
  readonly signal: AbortSignal;
  dispose(): void;
}

function exitAtOnce(): void {
  removeUnfinishedWrites();
  process.exit(ExitCode.interrupted);
}

/** Ctrl-C and SIGTERM exit at once with code 130; installInterruptHandler takes over while it is active. */
export function installDefaultSignalExit(): void {
  // Replaces the start-up handlers of bin/charlm, which cannot remove their own (its import of main.js ends with main).
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', exitAtOnce);
  process.on('SIGTERM', exitAtOnce);
}

export function installInterruptHandler(onFirst: (name: NodeJS.Signals) => void): InterruptHandle {
  const controller = new AbortController();
  const handler = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) exitAtOnce();
    controller.abort();
    onFirst(name);
  };
  process.off('SIGINT', exitAtOnce);
  process.off('SIGTERM', exitAtOnce);
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      installDefaultSignalExit();
    },
  };
}
