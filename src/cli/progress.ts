// Shows training as it runs. On a terminal: a live status line (cli-progress) that fits the terminal's width, with each
// validation (and each --sample-every sample) printed above it as it happens; otherwise plain lines every so often.
// Nothing with --quiet.

import cliProgress from 'cli-progress';
import type { TrainEvent } from '../train/events.js';
import { fitLine, wrapWords, type Fields } from './fit-line.js';

export interface ProgressOptions {
  readonly quiet: boolean;
  /** Draw a live status line (stderr is a terminal); otherwise print a line every so often. */
  readonly interactive: boolean;
  /** Where the live line is drawn (process.stderr; a fake terminal in tests). */
  readonly stream?: NodeJS.WritableStream & { columns?: number; isTTY?: boolean };
  readonly write: (line: string) => void;
  readonly dim: (text: string) => string;
  readonly highlight?: (text: string) => string;
}

/** Narrower terminals get the layout for 60 columns: that is the narrowest we design for. */
const MIN_COLUMNS = 60;
/** Plain (non-terminal) lines use the richest layout. */
const PLAIN_WIDTH = 1000;

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(sec).padStart(2, '0')}s`;
}

function formatRate(charsPerSec: number): string {
  return charsPerSec >= 10_000 ? `${(charsPerSec / 1000).toFixed(1)}k` : charsPerSec.toFixed(0);
}

/** A loss in nats, short enough for a status line even when training has blown up. */
export function formatLoss(nats: number): string {
  if (!Number.isFinite(nats)) return String(nats);
  return Math.abs(nats) < 1000 ? nats.toFixed(4) : nats.toExponential(2);
}

function bar(fraction: number, width: number): string {
  const full = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

/** What the status line shows: the latest step and the latest and best validation. */
interface Status {
  step: number;
  totalSteps: number | null;
  epoch: number;
  trainLoss: number | null;
  valLoss: number | null;
  bestValLoss: number | null;
  learningRate: number | null;
  charsPerSec: number;
  elapsedMs: number;
  fraction: number;
}

// From richest to plainest; see fit-line.ts.
const STATUS_LAYOUTS = [
  ['bar', 'percent', 'step', 'epoch', 'loss', 'val', 'best', 'lr', 'speed', 'eta'],
  ['bar', 'percent', 'step', 'epoch', 'loss', 'val', 'best', 'speed', 'eta'],
  ['bar', 'percent', 'step', 'loss', 'val', 'best', 'speed', 'eta'],
  ['shortBar', 'percent', 'step', 'loss', 'val', 'best', 'shortSpeed', 'eta'],
  ['shortBar', 'step', 'loss', 'val', 'best', 'eta'],
  ['shortBar', 'shortStep', 'loss', 'val', 'best', 'eta'],
  ['shortBar', 'shortStep', 'loss', 'val', 'eta'],
  ['shortStep', 'loss', 'val', 'eta'],
  ['shortStep', 'loss', 'val'],
] as const;

export function statusLine(s: Status, width: number, withBar: boolean): string {
  const eta = s.fraction > 0 ? (s.elapsedMs / s.fraction) * (1 - s.fraction) : null;
  const ofTotal = s.totalSteps === null ? '' : `/${s.totalSteps}`;
  const speed = formatRate(s.charsPerSec);
  const fields: Fields = {
    bar: withBar ? bar(s.fraction, 24) : undefined,
    shortBar: withBar ? bar(s.fraction, 10) : undefined,
    percent: `${Math.floor(s.fraction * 100)}%`,
    step: `step ${s.step}${ofTotal}`,
    shortStep: `${s.step}${ofTotal}`,
    epoch: `epoch ${s.epoch.toFixed(2)}`,
    loss: s.trainLoss === null ? undefined : `loss ${formatLoss(s.trainLoss)}`,
    val: `val ${s.valLoss === null ? '–' : formatLoss(s.valLoss)}`,
    best: s.bestValLoss === null ? undefined : `best ${formatLoss(s.bestValLoss)}`,
    lr: s.learningRate === null ? undefined : `lr ${s.learningRate.toExponential(1)}`,
    speed: `${speed} chars/s`,
    shortSpeed: `${speed} c/s`,
    eta: eta === null ? undefined : `ETA ${formatDuration(eta)}`,
  };
  return fitLine(fields, STATUS_LAYOUTS, width);
}

const EVAL_LAYOUTS = [
  ['step', 'val', 'bits', 'best', 'train'],
  ['step', 'val', 'bits', 'best'],
  ['step', 'val', 'best'],
] as const;

export function evalLine(e: Extract<TrainEvent, { kind: 'eval' }>, bestStep: number, trainLoss: number | null,
                         width: number): string {
  const fields: Fields = {
    step: `step ${e.step}:`,
    val: `validation ${formatLoss(e.valLoss)} nats`,
    bits: `(${formatLoss(e.valLoss / Math.LN2)} bits/char)`,
    best: e.improved ? 'best so far' : `best ${formatLoss(e.bestValLoss)} at step ${bestStep}`,
    train: trainLoss === null ? undefined : `train ${formatLoss(trainLoss)}`,
  };
  return fitLine(fields, EVAL_LAYOUTS, width);
}

/** Control characters (a bare \r would overwrite the line) shown as escapes; line breaks kept. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The text's lines, each cut into pieces of at most width − 2 columns (they are indented by two). */
export function wrapText(text: string, width: number): string[] {
  const size = Math.max(10, width - 2);
  return text.split('\n').flatMap((line) => {
    const chars = [...line];
    const pieces: string[] = [];
    for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(''));
    return pieces.length === 0 ? [''] : pieces;
  });
}

export class TrainProgressView {
  private bar: cliProgress.SingleBar | null = null;
  private status: Status = {
    step: 0, totalSteps: null, epoch: 0, trainLoss: null, valLoss: null, bestValLoss: null, learningRate: null,
    charsPerSec: 0, elapsedMs: 0, fraction: 0,
  };
  private bestStep = 0;
  private lastLineAt = 0;
  private lastLineFraction = 0;

  constructor(private readonly options: ProgressOptions) {}

  readonly listener = (e: TrainEvent): void => {
    if (this.options.quiet) return;
    switch (e.kind) {
      case 'start':
        this.status.totalSteps = e.totalSteps;
        this.status.step = e.startStep;
        this.say(`${e.resumed ? 'resuming at step ' + e.startStep + ': ' : ''}${e.params.toLocaleString('en-US')} parameters, ` +
          `vocabulary ${e.vocabSize}, ${e.trainChars.toLocaleString('en-US')} training and ` +
          `${e.valChars.toLocaleString('en-US')} validation characters, ${e.chunksPerEpoch} steps per epoch`);
        if (this.options.interactive) this.startBar();
        break;
      case 'step':
        Object.assign(this.status, {
          step: e.step, epoch: e.epoch, trainLoss: e.trainLoss, learningRate: e.learningRate, charsPerSec: e.charsPerSec,
          elapsedMs: e.elapsedMs, fraction: e.progress,
        });
        if (this.bar !== null) {
          this.bar.update(Math.round(e.progress * 1000));
        } else if (!this.options.interactive &&
                   (Date.now() - this.lastLineAt >= 30_000 || e.progress - this.lastLineFraction >= 0.1)) {
          // Plain lines for a log only: a terminal's live line, once finished (Ctrl-C stops it before the step that is
          // being finished), stays where it is instead of being followed by a second status line.
          this.lastLineAt = Date.now();
          this.lastLineFraction = e.progress;
          this.say(statusLine(this.status, PLAIN_WIDTH, false));
        }
        break;
      case 'eval':
        if (e.improved) this.bestStep = e.step;
        this.status.valLoss = e.valLoss;
        this.status.bestValLoss = e.bestValLoss;
        this.say(evalLine(e, this.bestStep, this.status.trainLoss, this.width()));
        break;
      case 'recovered':
        this.say(`step ${e.step}: ${e.reason}; rolled back to step ${e.rolledBackTo}, learning rate × ${e.lrScale}`);
        break;
      case 'sample':
        this.say(`sample at step ${e.step}:`);
        for (const line of wrapText(printable(e.text), this.width())) this.say(`  ${line}`);
        break;
      case 'saved':
        break;
      case 'stop':
        this.finish();
        break;
    }
  };

  /** Stops the live line, drawn one last time with the final validation, so later output starts on a clean line. */
  finish(): void {
    if (this.bar !== null) {
      this.bar.update(Math.round(this.status.fraction * 1000));
      this.bar.stop();
      this.bar = null;
    }
  }

  private startBar(): void {
    this.bar = new cliProgress.SingleBar({
      stream: this.options.stream ?? process.stderr,
      // Our own line, fitted to the width; one column is left free so no terminal wraps it.
      format: (_options, params) => statusLine(this.status, Math.max(MIN_COLUMNS, params.maxWidth) - 1, true),
      hideCursor: true,
      clearOnComplete: false,
      // Redraw even when the line has not changed: a line printed above has just erased it.
      forceRedraw: true,
      fps: 10,
    });
    this.bar.start(1000, Math.round(this.status.fraction * 1000));
  }

  private width(): number {
    const columns = this.options.stream?.columns ?? process.stderr.columns;
    return this.bar === null && columns === undefined ? PLAIN_WIDTH : Math.max(MIN_COLUMNS, columns ?? 80) - 1;
  }

  private say(line: string): void {
    if (this.bar !== null) {
      // Print above the live line: clear it and write the line. cli-progress saved the cursor where the live line began
      // and goes back there when it stops: save it again at the live line's new place (ESC 7), then redraw it there.
      for (const part of wrapWords(line, this.width())) this.options.write(`\r\x1b[K${part}`);
      (this.options.stream ?? process.stderr).write('\x1b7');
      this.bar.render();
    } else {
      for (const part of this.width() === PLAIN_WIDTH ? [line] : wrapWords(line, this.width())) this.options.write(this.options.dim(part));
    }
  }
}
