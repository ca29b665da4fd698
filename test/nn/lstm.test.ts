// The lstm layer (src/nn/lstm.ts): forward against a naive per-unit loop, backward against finite differences.
import { describeLayer } from '../helpers/layer-suite.js';

describeLayer('lstm');
