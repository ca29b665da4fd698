// Writes a synthetic long-range corpus to stdout: lines "<k>" + random letters + "</k>", so predicting each line's
// closing key needs the opening one carried to the end of the line (README: "Where a text begins", "gradflow"). After
// `npm run build`:
//   node scripts/long-range-text.mjs --keys 10 --letters 30 --alphabet 10 > keys.txt
// The text comes from test/helpers/long-range.ts, the one the test suite and scripts/start-state.mjs train on.
import { parseArgs } from 'node:util';
import { longRangeText } from '../dist/test/helpers/long-range.js';

const { values: a } = parseArgs({ options: {
  lines: { type: 'string', default: '4000' }, keys: { type: 'string', default: '4' }, letters: { type: 'string', default: '6' },
  alphabet: { type: 'string', default: '2' }, seed: { type: 'string', default: '1' },
} });
process.stdout.write(longRangeText({ lines: +a.lines, keys: +a.keys, letters: +a.letters, alphabet: +a.alphabet, seed: +a.seed }));
