// Errors the library throws: a one-line message plus an optional hint. Exit codes are chosen by the CLI alone (cli/exit-codes.ts).

export interface ErrorDetails {
  /** A short suggestion for the user, e.g. "use --unknown skip". */
  hint?: string;
  cause?: unknown;
}

export class CharlmError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.hint = details.hint;
  }
}

/** A text file that cannot be used: missing, empty, a directory, binary or not UTF-8, too small. */
export class CorpusError extends CharlmError {}
/** A model file that cannot be read or written: truncated, corrupt, wrong shapes, newer format. */
export class ModelFileError extends CharlmError {}
/** Characters the model's vocabulary does not contain. */
export class VocabularyError extends CharlmError {}
/** Hyperparameters or options that make no sense together. */
export class ConfigError extends CharlmError {}
/** A command line that asks for something impossible, found after its flags were parsed (the CLI exits with 2). */
export class UsageError extends CharlmError {}
/** Training produced NaN or infinite values too many times to recover. */
export class DivergedError extends CharlmError {}
/** Work stopped because an AbortSignal fired (Ctrl-C); whatever could be saved was saved. */
export class InterruptedError extends CharlmError {}
/** A numerical self-check (gradient check) failed. */
export class CheckFailedError extends CharlmError {}
