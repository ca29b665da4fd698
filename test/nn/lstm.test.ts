// The lstm layer (src/nn/lstm.ts), plain and with a projection (proj_size): forward against a naive per-unit loop,
// backward against finite differences.
import { describeLayer } from '../helpers/layer-suite.js';

describeLayer('lstm');
describeLayer('lstm', 2);
