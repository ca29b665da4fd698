// What the trainer reports while it runs. The CLI turns these into a progress bar or log lines; tests collect them.

/** 'nothing-to-do': a resumed model had already used its budget in steps, so the run trained and saved nothing. */
export type StopReason = 'steps' | 'epochs' | 'time' | 'early-stop' | 'interrupted' | 'nothing-to-do';

export type TrainEvent =
  | {
      readonly kind: 'start';
      readonly startStep: number;
      /** The step at which the budget ends, when it is known in steps (null for a time-only budget). */
      readonly totalSteps: number | null;
      readonly chunksPerEpoch: number;
      readonly params: number;
      readonly vocabSize: number;
      readonly trainChars: number;
      readonly valChars: number;
      readonly resumed: boolean;
    }
  | {
      readonly kind: 'step';
      /** Steps completed in the model's life. */
      readonly step: number;
      readonly epoch: number;
      readonly trainLoss: number;
      /** The global gradient norm before clipping. */
      readonly gradNorm: number;
      readonly learningRate: number;
      readonly charsPerSec: number;
      readonly elapsedMs: number;
      /** Fraction of the budget used, 0..1. */
      readonly progress: number;
    }
  | { readonly kind: 'eval'; readonly step: number; readonly valLoss: number; readonly bestValLoss: number; readonly improved: boolean }
  | { readonly kind: 'sample'; readonly step: number; readonly text: string }
  | { readonly kind: 'saved'; readonly step: number; readonly path: string; readonly which: 'best' | 'latest' }
  | { readonly kind: 'recovered'; readonly step: number; readonly rolledBackTo: number; readonly reason: string; readonly lrScale: number }
  | { readonly kind: 'stop'; readonly step: number; readonly reason: StopReason };

export type TrainEventListener = (event: TrainEvent) => void;
