// charlm as a library: the tokenizer, the model and its file format, training, decoding and scoring, with their types.
// The command line (src/cli/) is a thin layer over exactly these.

export * from './errors.js';

export type { DType, Floats, Ids } from './tensor/floats.js';
export type { Kernels } from './tensor/kernels.js';
export { createKernels, KERNEL_CHOICES, type KernelChoice } from './tensor/create-kernels.js';
export { createReferenceKernels } from './tensor/reference-kernels.js';
export { setThreads, MAX_THREADS } from './tensor/threads.js';
export { nativeKernelInfo } from './tensor/native-kernels.js';
export { Rng, type RngState } from './tensor/rng.js';

export {
  CELLS, gateCount, parameterCount, parameterShapes, validateModelConfig, type Cell, type ModelConfig, type ParameterSpec,
} from './config/model-config.js';
export type { TrainConfig, OptimizerKind, OptimizerSettings, ScheduleKind, ScheduleSettings, SizePreset, Budget } from './config/train-config.js';
export { buildTrainConfig, validateTrainConfig, type TrainOverrides } from './config/build-config.js';
export { DEFAULTS, PRESETS } from './config/presets.js';
export { chooseTrainSettings, describeChoice, type AutoChoice, type AutoInput, type TextSize } from './config/auto-config.js';

export { Vocab, countSymbols, measureText, escapeChar, BOS_ID, EOS_ID, type VocabJSON, type UnknownPolicy } from './text/vocab.js';
export { readCorpus, splitTrainValidation, checkTrainable, type Corpus } from './text/corpus.js';
export { BatchStreams } from './text/batches.js';
export { bundledCorpus, bundledCorpusPath, BUNDLED_CORPORA, type BundledCorpus } from './text/bundled.js';

export { CharLM, type Pass, type ForwardOptions, type LayerActivations, type PackedWeights } from './model/char-lm.js';
export { Parameters } from './model/parameters.js';
export { RecurrentState } from './model/recurrent-state.js';

export type { Optimizer } from './optim/optimizer.js';
export { createOptimizer, type OptimizerConfig } from './optim/create-optimizer.js';
export { clipGlobalNorm } from './optim/clip.js';
export { learningRateAt } from './optim/schedule.js';

export { loadModel, parseModel } from './model-file/read.js';
export { saveModel } from './model-file/write.js';
export { FORMAT_VERSION, MODEL_FORMAT, type SavedModel, type Tensor, type TrainingRecord, type ResumeState } from './model-file/format.js';

export { train, type TrainOptions, type TrainResult } from './train/trainer.js';
export type { InitFrom } from './train/init-from.js';
export type { TrainEvent, TrainEventListener, StopReason } from './train/events.js';

export { sample, sampleFromLogits, checkSampleOptions, type SampleOptions, type GenerateOptions, type SampledChar } from './decode/sampling.js';
export { beamSearch, type BeamOptions, type Hypothesis } from './decode/beam-search.js';
export { scoreText, scoreLines, type TextScore, type LineScore } from './decode/scoring.js';
export { NgramModel, type NgramOptions, type NgramSmoothing } from './decode/ngram.js';
export { gradCheck, type GradCheckOptions, type GradCheckResult } from './check/gradcheck.js';
