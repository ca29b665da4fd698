// How much one forward pass may hold when decoding or scoring: its logits are steps × rows × V floats, so a model file that
// declares a huge vocabulary (1,114,112 symbols) would otherwise cost gigabytes for a few characters. Steps, then rows,
// shrink until the logits fit; the results do not change (the state is carried across chunks), only how they are batched.

/** The most logits one forward holds in decoding and scoring: 16 Mi values (64 MB in float32). */
export const MAX_FORWARD_LOGITS = 16 * 1024 * 1024;

/** At most `wanted` rows, and no more than fit in the budget at one step each. */
export function rowsWithin(wanted: number, vocabSize: number): number {
  return Math.max(1, Math.min(wanted, Math.floor(MAX_FORWARD_LOGITS / vocabSize)));
}

/** At most `wanted` steps per forward of `rows` rows, and no more than fit in the budget. */
export function stepsWithin(wanted: number, rows: number, vocabSize: number): number {
  return Math.max(1, Math.min(wanted, Math.floor(MAX_FORWARD_LOGITS / (rows * vocabSize))));
}
