// Shows training as it runs: a cli-progress bar on a terminal, plain periodic lines otherwise, nothing with --quiet.

import cliProgress from 'cli-progress';
import type { TrainEvent } from '../train/events.js';

export interface ProgressOptions {
  readonly quiet: boolean;
  /** Draw a live bar (stderr is a terminal); otherwise print a line every so often. */
  readonly interactive: boolean;
  readonly write: (line: string) => void;
  readonly dim: (text: string) => string;
}

const LN2 = Math.LN2;

function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(sec).padStart(2, '0')}s`;
}

function formatRate(charsPerSec: number): string {
  return charsPerSec >= 10_000 ? `${(charsPerSec / 1000).toFixed(1)}k` : charsPerSec.toFixed(0);
}

export class TrainProgressView {
  private bar: cliProgress.SingleBar | null = null;
  private totalSteps: number | null = null;
  private valLoss = '–';
  private lastLineAt = 0;
  private lastLineProgress = 0;

  constructor(private readonly options: ProgressOptions) {}

  readonly listener = (e: TrainEvent): void => {
    if (this.options.quiet) return;
    switch (e.kind) {
      case 'start':
        this.totalSteps = e.totalSteps;
        this.say(`${e.resumed ? 'resuming at step ' + e.startStep + ': ' : ''}${e.params.toLocaleString('en-US')} parameters, ` +
          `vocabulary ${e.vocabSize}, ${e.trainChars.toLocaleString('en-US')} training and ` +
          `${e.valChars.toLocaleString('en-US')} validation characters, ${e.chunksPerEpoch} steps per epoch`);
        if (this.options.interactive) {
          this.bar = new cliProgress.SingleBar({
            stream: process.stderr,
            format: ' {bar} {percentage}% | step {step}{ofTotal} | epoch {epoch} | loss {loss} | val {val} | {speed} chars/s | ETA {etaText}',
            barsize: 24,
            hideCursor: true,
            clearOnComplete: false,
            etaBuffer: 50,
          }, cliProgress.Presets.shades_classic);
          this.bar.start(1000, 0, this.payload(e.startStep, 0, NaN, 0, 0));
        }
        break;
      case 'step': {
        const eta = e.progress > 0 ? (e.elapsedMs / e.progress) * (1 - e.progress) : 0;
        if (this.bar !== null) {
          this.bar.update(Math.round(e.progress * 1000), this.payload(e.step, e.epoch, e.trainLoss, e.charsPerSec, eta));
        } else {
          const now = Date.now();
          if (now - this.lastLineAt >= 30_000 || e.progress - this.lastLineProgress >= 0.1) {
            this.lastLineAt = now;
            this.lastLineProgress = e.progress;
            this.say(`step ${e.step}${this.ofTotal()} epoch ${e.epoch.toFixed(2)} loss ${e.trainLoss.toFixed(4)} ` +
              `val ${this.valLoss} lr ${e.learningRate.toExponential(2)} ${formatRate(e.charsPerSec)} chars/s ` +
              `elapsed ${formatDuration(e.elapsedMs)} ETA ${formatDuration(eta)}`);
          }
        }
        break;
      }
      case 'eval':
        this.valLoss = e.valLoss.toFixed(4);
        if (this.bar === null) {
          this.say(`step ${e.step}: validation loss ${e.valLoss.toFixed(4)} nats (${(e.valLoss / LN2).toFixed(3)} bits/char)` +
            (e.improved ? ', best so far' : `, best ${e.bestValLoss.toFixed(4)}`));
        }
        break;
      case 'recovered':
        this.say(`step ${e.step}: ${e.reason}; rolled back to step ${e.rolledBackTo}, learning rate × ${e.lrScale}`);
        break;
      case 'saved':
        break;
      case 'stop':
        this.finish();
        break;
    }
  };

  /** Stops the bar so later output starts on a clean line. */
  finish(): void {
    if (this.bar !== null) {
      this.bar.stop();
      this.bar = null;
    }
  }

  private ofTotal(): string {
    return this.totalSteps === null ? '' : `/${this.totalSteps}`;
  }

  private payload(step: number, epoch: number, loss: number, speed: number, etaMs: number): Record<string, string> {
    return {
      step: String(step),
      ofTotal: this.ofTotal(),
      epoch: epoch.toFixed(2),
      loss: Number.isFinite(loss) ? loss.toFixed(4) : '–',
      val: this.valLoss,
      speed: formatRate(speed),
      etaText: formatDuration(etaMs),
    };
  }

  private say(line: string): void {
    if (this.bar !== null) {
      // Print above the bar: clear its line; it redraws on the next update.
      this.options.write(`\r\x1b[K${line}`);
    } else {
      this.options.write(this.options.dim(line));
    }
  }
}
