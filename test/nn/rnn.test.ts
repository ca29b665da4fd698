// The rnn layer (src/nn/rnn.ts): forward against a naive per-unit loop, backward against finite differences.
import { describeLayer } from '../helpers/layer-suite.js';

describeLayer('rnn');
describeLayer('rnn-relu');
