// Ctrl-C and SIGTERM become an AbortSignal, so training finishes its step and saves; a second Ctrl-C quits at once.

export interface InterruptHandle {
  readonly signal: AbortSignal;
  dispose(): void;
}

export function installInterruptHandler(onFirst: (name: NodeJS.Signals) => void): InterruptHandle {
  const controller = new AbortController();
  const handler = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    onFirst(name);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
