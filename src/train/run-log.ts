// The JSON-lines log beside the model: one line per step (and per validation), appended, so a resumed run continues it.

import { appendFileSync } from 'node:fs';
import { ModelFileError } from '../errors.js';
import { describeWriteError } from '../model-file/write.js';

export interface LogLine {
  step: number;
  epoch: number;
  trainLoss: number | null;
  valLoss: number | null;
  gradNorm: number | null;
  learningRate: number | null;
  charsPerSec: number | null;
  elapsedMs: number;
  /** A sample taken at this step (--sample-every). */
  sample?: string;
}

export class RunLog {
  private pending: string[] = [];

  /** path null keeps no log. */
  constructor(private readonly path: string | null) {}

  write(line: LogLine): void {
    if (this.path === null) return;
    this.pending.push(JSON.stringify(line));
    if (this.pending.length >= 50) this.flush();
  }

  /** Appends what is buffered; called at every save and at the end, so the log never runs ahead of the model. */
  flush(): void {
    if (this.path === null || this.pending.length === 0) return;
    try {
      appendFileSync(this.path, this.pending.join('\n') + '\n');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      throw new ModelFileError(`cannot write the log ${this.path}: ${describeWriteError(code, err)}`,
        { cause: err, hint: 'the models saved so far are intact; --no-log trains without a log' });
    }
    this.pending = [];
  }
}
