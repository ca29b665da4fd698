// Validation: the mean loss on the held-out text, and what it means for the run (a new best, patience used up).

import { scoreIds } from '../decode/scoring.js';
import { weightsFinite, type TrainingRun } from './training-run.js';

export type Validation =
  | { readonly kind: 'scored'; readonly valLoss: number; readonly improved: boolean; readonly patienceUsedUp: boolean }
  /** No held-out text (--val-frac 0): every save counts as the best. */
  | { readonly kind: 'none'; readonly patienceUsedUp: false }
  /** The weights or the loss are NaN or infinite: nothing is recorded or saved, the run must roll back. */
  | { readonly kind: 'diverged'; readonly reason: string };

/** Scores the held-out text and updates the best-so-far counters; the training state is not touched. */
export function validate(run: TrainingRun): Validation {
  if (!weightsFinite(run)) return { kind: 'diverged', reason: 'the weights became NaN or infinite' };
  if (run.valIds.length < 2) return { kind: 'none', patienceUsedUp: false };
  // B parallel streams, each warmed up on the text before it (equal to one pass); the training state is not touched.
  const { batchSize: B, bpttLength: T, patience } = run.config;
  const scored = scoreIds(run.model, run.valIds,
    { streams: Math.min(B, run.valIds.length - 1), chunkLength: T, itemStart: run.vocab.bos });
  const valLoss = scored.nats / scored.chars;
  if (!Number.isFinite(valLoss)) return { kind: 'diverged', reason: 'the validation loss became NaN or infinite' };
  const p = run.progress;
  const improved = p.bestValLoss === null || valLoss < p.bestValLoss;
  p.lastValLoss = valLoss;
  if (improved) p.bestValLoss = valLoss;
  p.evalsWithoutImprovement = improved ? 0 : p.evalsWithoutImprovement + 1;
  return { kind: 'scored', valLoss, improved, patienceUsedUp: patience > 0 && p.evalsWithoutImprovement >= patience };
}
