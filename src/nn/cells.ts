// Every recurrent cell type, by the name users and model files give it. Each is described once, beside its equations
// (lstm.ts, gru.ts, rnn.ts; the description's shape is in cell-type.ts). The parameter list, the model file, the carried
// state, initialisation and the model read these descriptions; none of them tests for a particular cell.

import type { CellType } from './cell-type.js';
import { GRU_CELL } from './gru.js';
import { LSTM_CELL } from './lstm.js';
import { RNN_RELU_CELL, RNN_TANH_CELL } from './rnn.js';

/** Adding an entry here adds a cell everywhere: to --cell, model files, gradcheck and the tests that loop over CELLS. */
export const CELL_TYPES = {
  lstm: LSTM_CELL,
  gru: GRU_CELL,
  rnn: RNN_TANH_CELL,
  'rnn-relu': RNN_RELU_CELL,
} as const satisfies Record<string, CellType>;

export type Cell = keyof typeof CELL_TYPES;
export const CELLS = Object.freeze(Object.keys(CELL_TYPES)) as readonly Cell[];

export function cellType(cell: Cell): CellType {
  return CELL_TYPES[cell];
}
