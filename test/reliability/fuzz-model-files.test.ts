// Fuzzing the model reader: thousands of mutated model files. Every one must end in a ModelFileError or a model that
// works (it generates and scores), with memory bounded by the file's size and Object.prototype untouched.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { scoreIds } from '../../src/decode/scoring.js';
import { sample } from '../../src/decode/sampling.js';
import { CharlmError } from '../../src/errors.js';
import { CharLM } from '../../src/model/char-lm.js';
import { parseModel } from '../../src/model-file/read.js';
import { serializeModel } from '../../src/model-file/write.js';
import type { SavedModel } from '../../src/model-file/format.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import { Rng } from '../../src/tensor/rng.js';
import { makeModel } from '../model-file/fixture.js';
import { assertNoPrototypePollution, fuzzRuns, fuzzSeed } from './fuzz.js';

const GOOD = serializeModel(makeModel({ layers: 1, hiddenSize: 4, resume: true })).join('');
const GOOD_BYTES = Buffer.from(GOOD, 'utf8');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Values a hostile file puts where a field should be. */
const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, 0, -1, -0, 1e308, -1e308, 2 ** 53, 2 ** 31, 1.5, '', 'NaN', 'Infinity', [], {},
    [-1], [0], [1e9, 1e9], [2 ** 31, 2 ** 31, 2 ** 31], '!!!!', 'AAAA====', 'AAA', '\u001b[2J\u001b]0;title\u0007',
    '\ud800', 'x\u0000y', { __proto__: null } as unknown as Json),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.array(fc.integer({ min: -2, max: 2 ** 31 }), { maxLength: 4 }),
  fc.nat({ max: 200_000 }).map((n) => 'A'.repeat(n)),
  fc.nat({ max: 20_000 }).map((n) => `@@DEEP:${n}@@`), // replaced by n nested arrays in the text (see withDeepNesting)
);

/** The document's text, with each "@@DEEP:n@@" marker replaced by n nested arrays (too deep for JSON.stringify). */
function textOf(doc: Json): string {
  return JSON.stringify(doc).replace(/"@@DEEP:(\d+)@@"/g, (_, n: string) => '['.repeat(Number(n)) + ']'.repeat(Number(n)));
}

/** Every path to a value in a JSON document. */
function paths(value: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.slice(0, 8).forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const k of Object.keys(value)) paths(value[k]!, [...prefix, k], out);
  return out;
}

const GOOD_JSON = JSON.parse(GOOD) as Json;
const GOOD_PATHS = paths(GOOD_JSON).filter((p) => p.length > 0);

function setPath(doc: Json, path: (string | number)[], value: Json | undefined): void {
  let node = doc as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

function getPath(doc: Json, path: (string | number)[]): Json {
  return path.reduce<Json>((node, key) => (node as Record<string | number, Json>)[key]!, doc);
}

/** One mutation of the good file's text. */
const mutatedFile: fc.Arbitrary<string> = fc.oneof(
  // Flipped bytes.
  fc.array(fc.tuple(fc.nat({ max: GOOD_BYTES.length - 1 }), fc.nat({ max: 255 })), { minLength: 1, maxLength: 8 }).map((flips) => {
    const bytes = Buffer.from(GOOD_BYTES);
    for (const [at, value] of flips) bytes[at] = value;
    return bytes.toString('utf8');
  }),
  // Truncation.
  fc.nat({ max: GOOD.length - 1 }).map((n) => GOOD.slice(0, n)),
  // A field replaced by a hostile value, or removed.
  fc.tuple(fc.constantFrom(...GOOD_PATHS), fc.option(hostileValue, { nil: undefined, freq: 6 })).map(([path, value]) => {
    const doc = structuredClone(GOOD_JSON);
    setPath(doc, path, value);
    return textOf(doc);
  }),
  // Two fields' values swapped.
  fc.tuple(fc.constantFrom(...GOOD_PATHS), fc.constantFrom(...GOOD_PATHS)).map(([a, b]) => {
    const doc = structuredClone(GOOD_JSON);
    const [va, vb] = [structuredClone(getPath(doc, a)), structuredClone(getPath(doc, b))];
    try {
      setPath(doc, a, vb);
      setPath(doc, b, va);
    } catch { /* one path lay inside the other */ }
    return JSON.stringify(doc);
  }),
  // A key that reaches a prototype when merged, added at any object.
  fc.tuple(fc.constantFrom(...GOOD_PATHS.filter((p) => {
    const v = getPath(GOOD_JSON, p);
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  })), fc.constantFrom('__proto__', 'constructor', 'prototype')).map(([path, key]) => {
    const text = JSON.stringify(getPath(GOOD_JSON, path));
    const poisoned = `{"${key}": {"polluted": true}, ${text.slice(1)}`;
    const doc = structuredClone(GOOD_JSON);
    setPath(doc, path, '@@HERE@@');
    return JSON.stringify(doc).replace('"@@HERE@@"', poisoned);
  }),
  // Random text, and random bytes.
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('utf8')),
);

/** An accepted model must work: a few sampled characters and a score, all finite. */
function exercise(saved: SavedModel): void {
  const model = CharLM.fromWeights(saved.config, createReferenceKernels('f32'), saved.weights);
  const text = [...sample(model, saved.vocab, { length: 5, temperature: 1 }, Rng.fromSeed(1))];
  assert.equal(text.length <= 5, true);
  const ids = saved.vocab.encode([...saved.vocab.chars()].slice(0, 4).join(''));
  if (ids.length >= 2) assert.ok(Number.isFinite(scoreIds(model, ids).nats));
}

describe('fuzzing model files', () => {
  it('every mutated model file is refused with a ModelFileError or loads as a working model', () => {
    let accepted = 0;
    fc.assert(fc.property(mutatedFile, (text) => {
      let saved: SavedModel;
      try {
        saved = parseModel(text, 'fuzz.json');
      } catch (err) {
        assert.ok(err instanceof CharlmError, `not a clear error: ${String(err).slice(0, 200)}`);
        assert.ok(err.message.length < 2000, 'the message quotes the file cut short');
        assertNoPrototypePollution();
        return;
      }
      accepted++;
      let floats = 0;
      for (const t of saved.weights.values()) floats += t.data.length;
      for (const t of saved.resume?.tensors.values() ?? []) floats += t.data.length;
      assert.ok(4 * floats <= Buffer.byteLength(text), 'tensors never hold more than the file could');
      exercise(saved);
      assertNoPrototypePollution();
    }), { seed: fuzzSeed(), numRuns: fuzzRuns(2000) });
    assert.ok(accepted > 0, 'some mutations (an unused field, an equal value) leave a valid model');
  });
});
