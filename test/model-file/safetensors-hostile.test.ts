// A mutator over a good exported file: each case damages it in one way a hostile or broken writer could, and the import
// must end in a ModelFileError with one short line (never another exception, never a hang or a huge allocation).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ModelFileError } from '../../src/errors.js';
import { exportSafetensors, importSafetensors } from '../../src/model-file/exchange.js';
import { sourceFromBytes } from '../../src/model-file/safetensors.js';
import { Rng } from '../../src/tensor/rng.js';
import { makeModel } from './fixture.js';

const GOOD = Buffer.concat(exportSafetensors(makeModel({ layers: 2, hiddenSize: 3 })));
const HEADER_LENGTH = Number(GOOD.readBigUInt64LE(0));
const HEADER: Record<string, any> = JSON.parse(GOOD.subarray(8, 8 + HEADER_LENGTH).toString('utf8'));
const DATA = GOOD.subarray(8 + HEADER_LENGTH);
const TENSORS = Object.keys(HEADER).filter((k) => k !== '__metadata__');

function withLength(headerBytes: Buffer, data: Buffer = DATA, length: bigint = BigInt(headerBytes.length)): Buffer {
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(length);
  return Buffer.concat([len, headerBytes, data]);
}

/** A file whose header is `change` applied to a copy of the good header (the data unchanged unless given). */
function edited(change: (h: Record<string, any>) => void, data: Buffer = DATA): Buffer {
  const h = structuredClone(HEADER);
  change(h);
  return withLength(Buffer.from(JSON.stringify(h), 'utf8'), data);
}

interface Case { name: string; bytes: Buffer; message?: RegExp }
const cases: Case[] = [];
const add = (name: string, bytes: Buffer, message?: RegExp): void => { cases.push({ name, bytes, message }); };

// The length field and the file's end.
for (let n = 0; n < 8; n++) add(`a file of ${n} bytes`, GOOD.subarray(0, n), /is not a safetensors file: it has only \d+ bytes/);
for (const length of [BigInt(GOOD.length), BigInt(GOOD.length - 7), 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n]) {
  const b = Buffer.from(GOOD);
  b.writeBigUInt64LE(length);
  add(`a header length of ${length}`, b, /header length \d+ is beyond the file/);
}
for (const length of [0n, 1n, 2n, BigInt(HEADER_LENGTH - 1), BigInt(HEADER_LENGTH + 1), BigInt(HEADER_LENGTH + 16)]) {
  const b = Buffer.from(GOOD);
  b.writeBigUInt64LE(length);
  add(`a header length of ${length} instead of ${HEADER_LENGTH}`, b);
}
for (let cut = 8; cut < GOOD.length; cut += Math.max(1, Math.floor(GOOD.length / 60))) add(`the file cut at byte ${cut}`, GOOD.subarray(0, cut));
add('a byte appended', Buffer.concat([GOOD, Buffer.from([0])]), /holds \d+ bytes of data but its tensors account for \d+/);
add('a kilobyte appended', Buffer.concat([GOOD, Buffer.alloc(1024)]));

// Headers that are not a JSON object.
for (const text of ['', ' ', '[]', '"x"', '42', 'null', 'true', '{', '{"a":', ' {}', '\ufeff{}', '{}}', '{} x', '{"__metadata__":{}}garbage',
  '[' .repeat(100_000) + ']'.repeat(100_000), '{"a":' + '['.repeat(50_000) + ']'.repeat(50_000) + '}']) {
  add(`a header ${JSON.stringify(text.slice(0, 20))}${text.length > 20 ? '…' : ''}`, withLength(Buffer.from(text, 'utf8'), Buffer.alloc(0)));
}
add('a header that is not UTF-8', withLength(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), /header is not UTF-8 text/);
add('a NUL in the header', withLength(Buffer.from('{"\u0000":1}')));

// The metadata.
for (const [what, value] of [['a number', 1], ['null', null], ['an object', {}], ['an array', ['a']], ['true', true]] as const) {
  add(`a metadata value that is ${what}`, edited((h) => { h.__metadata__.extra = value; }), /metadata "extra" is not a string/);
  add(`a metadata "config" that is ${what}`, edited((h) => { h.__metadata__.config = value; }), /metadata "config" is not a string/);
}
for (const meta of [null, [], 'x', 7]) add(`"__metadata__" = ${JSON.stringify(meta)}`, edited((h) => { h.__metadata__ = meta; }), /"__metadata__" must be an object of strings/);
const metaEdits: [string, (m: Record<string, string>) => void, RegExp][] = [
  ['a config that is not JSON', (m) => { m.config = '{cell: lstm}'; }, /metadata "config" that is not JSON/],
  ['a config with an unknown cell', (m) => { m.config = m.config!.replace('"lstm"', '"transformer"'); }, /bad "config".*cell must be one of/],
  ['a config with a negative hidden size', (m) => { m.config = m.config!.replace('"hiddenSize":3', '"hiddenSize":-3'); }, /hiddenSize must be/],
  ['a config with the wrong hidden size', (m) => { m.config = m.config!.replace('"hiddenSize":3', '"hiddenSize":4'); }, /needs \[16, 4\]|needs \[16, \d+\]/],
  ['a config of 100 layers', (m) => { m.config = m.config!.replace('"numLayers":2', '"numLayers":100'); }, /numLayers must be/],
  ['a config of a billion units', (m) => { m.config = m.config!.replace('"hiddenSize":3', '"hiddenSize":1000000000'); }, /hiddenSize must be/],
  ['a config that is an array', (m) => { m.config = '[]'; }, /model config must be an object/],
  ['a config holding a huge string', (m) => { m.config = JSON.stringify({ cell: 'x'.repeat(100_000) }); }, /cell must be one of/],
  ['a vocabulary that is not JSON', (m) => { m.vocab = 'abc'; }, /metadata "vocab" that is not JSON/],
  ['a vocabulary that is unsorted', (m) => { const v = JSON.parse(m.vocab!); v.symbols.reverse(); m.vocab = JSON.stringify(v); }, /sorted by code point/],
  ['a vocabulary one symbol short', (m) => { const v = JSON.parse(m.vocab!); v.symbols.pop(); m.vocab = JSON.stringify(v); }, /the weights are for \d+ symbols, the vocabulary has \d+/],
  ['a vocabulary in line mode', (m) => { const v = JSON.parse(m.vocab!); v.lineMode = true; m.vocab = JSON.stringify(v); }, /line mode adds 2/],
  ['a vocabulary with a two-character symbol', (m) => { const v = JSON.parse(m.vocab!); v.symbols[0] = 'ab'; m.vocab = JSON.stringify(v); }, /must be exactly one character/],
  ['a vocabulary with a huge symbol', (m) => { const v = JSON.parse(m.vocab!); v.symbols[0] = '\u0007'.repeat(100_000); m.vocab = JSON.stringify(v); }, /must be exactly one character/],
  ['a vocabulary without lineMode', (m) => { m.vocab = '{"symbols":["a","b"]}'; }, /lineMode/],
  ['an empty vocabulary', (m) => { m.vocab = '{"symbols":[],"lineMode":false}'; }, /is empty/],
  ['a missing vocabulary', (m) => { delete m.vocab; }, /has no vocabulary in its metadata/],
  ['another format', (m) => { m.format = 'gguf'; }, /has metadata "format" "gguf", not "charlm"/],
  ['a newer layout version', (m) => { m.version = '2'; }, /layout version "2"; this charlm reads 1/],
  ['no layout version', (m) => { delete m.version; }, /layout version "undefined"/],
  ['a prototype key in the config', (m) => { m.config = m.config!.replace('{', '{"__proto__":{"polluted":1},'); }, /.*/],
];
for (const [name, change, message] of metaEdits) add(name, edited((h) => change(h.__metadata__)), message);

// Each tensor entry, damaged in each way.
const entryEdits: [string, (e: Record<string, any>, name: string, h: Record<string, any>) => void, RegExp][] = [
  ['no dtype', (e) => { delete e.dtype; }, /unknown dtype/],
  ['dtype "f32"', (e) => { e.dtype = 'f32'; }, /unknown dtype "\\"f32\\""/],
  ['dtype 4', (e) => { e.dtype = 4; }, /unknown dtype/],
  ['dtype "__proto__"', (e) => { e.dtype = '__proto__'; }, /unknown dtype/],
  ['dtype F64 with too few bytes', (e) => { e.dtype = 'F64'; }, /of F64 but \d+ bytes of data/],
  ['dtype I32', (e) => { e.dtype = 'I32'; }, /has dtype I32; charlm imports F32, and F16 or BF16/],
  ['dtype U32', (e) => { e.dtype = 'U32'; }, /has dtype U32/],
  ['no shape', (e) => { delete e.shape; }, /invalid shape/],
  ['a negative dimension', (e) => { e.shape = [-1, ...e.shape.slice(1)]; }, /invalid shape/],
  ['a fractional dimension', (e) => { e.shape = [0.5, ...e.shape.slice(1)]; }, /invalid shape/],
  ['a dimension given as a string', (e) => { e.shape = e.shape.map(String); }, /invalid shape/],
  ['a shape that is an object', (e) => { e.shape = { 0: 1 }; }, /invalid shape/],
  ['a dimension of 2^53', (e) => { e.shape = [2 ** 53, ...e.shape.slice(1)]; }, /invalid shape|bytes of data/],
  ['a dimension of 1e300', (e) => { e.shape = [1e300]; }, /invalid shape/],
  ['dimensions whose product overflows', (e) => { e.shape = [2 ** 40, 2 ** 40, 2 ** 40]; }, /bytes of data/],
  ['a zero dimension', (e) => { e.shape = [0, ...e.shape.slice(1)]; }, /bytes of data/],
  ['a transposed shape', (e) => {
    const t = [...e.shape].reverse();
    e.shape = t.length === 1 || t[0] === t[1] ? [1, ...t] : t; // a square or 1-D tensor gets a leading 1 instead
  }, /needs \[/],
  ['one more dimension', (e) => { e.shape = [...e.shape, 1]; }, /needs \[/],
  ['no data_offsets', (e) => { delete e.data_offsets; }, /invalid data_offsets/],
  ['one offset', (e) => { e.data_offsets = [e.data_offsets[0]]; }, /invalid data_offsets/],
  ['three offsets', (e) => { e.data_offsets = [...e.data_offsets, 0]; }, /invalid data_offsets/],
  ['a negative offset', (e) => { e.data_offsets = [-4, e.data_offsets[1]]; }, /invalid data_offsets/],
  ['offsets as strings', (e) => { e.data_offsets = e.data_offsets.map(String); }, /invalid data_offsets/],
  ['offsets that end before they begin', (e) => { e.data_offsets = [e.data_offsets[1], e.data_offsets[0]]; }, /end before they begin|bytes of data/],
  ['offsets shifted by 4', (e) => { e.data_offsets = e.data_offsets.map((x: number) => x + 4); }, /overlaps|past the end|belong to no tensor/],
  ['offsets shifted back by 4', (e) => { e.data_offsets = e.data_offsets.map((x: number) => Math.max(0, x - 4)); }, /.*/],
  ['offsets past the end of the data', (e) => { e.data_offsets = [DATA.length, DATA.length + e.data_offsets[1] - e.data_offsets[0]]; }, /past the end of the data|overlaps|belong to no tensor/],
  ['offsets of 2^64', (e) => { e.data_offsets = [2 ** 64, 2 ** 64 + 4]; }, /invalid data_offsets/],
  ['the offsets of another tensor', (e, name, h) => { e.data_offsets = [...h[TENSORS[name === TENSORS[0] ? 1 : 0]!].data_offsets]; }, /.*/],
  ['an extra field', (e) => { e.extra = 1; }, /unexpected field "extra"/],
  ['a value that is not an object', (_e, name, h) => { h[name] = [1, 2]; }, /is not an object/],
  ['a value that is null', (_e, name, h) => { h[name] = null; }, /is not an object/],
  ['a new name', (_e, name, h) => { h[`${name}.x`] = h[name]; delete h[name]; }, /that is not part of a 2-layer lstm/],
  ['a name with control characters', (_e, name, h) => { h[`\u001b[31m${name}\u0007`] = h[name]; delete h[name]; }, /"\\u\{1b\}\[31m/],
  ['a name of 10,000 characters', (_e, name, h) => { h[name.repeat(1 + Math.floor(10_000 / name.length))] = h[name]; delete h[name]; }, /…"/],
  ['a removed tensor', (_e, name, h) => { delete h[name]; }, /belong to no tensor|lacks the tensor|account for/],
];
for (const name of TENSORS) {
  for (const [what, change, message] of entryEdits) {
    add(`tensor ${name} with ${what}`, edited((h) => change(h[name], name, h)), message);
  }
}

// Data that is not finite, and values that are wrong in other dtypes.
for (const [what, bits] of [['NaN', 0x7fc00000], ['Infinity', 0x7f800000], ['-Infinity', 0xff800000]] as const) {
  for (const at of [0, 4 * 17, DATA.length - 4]) {
    const data = Buffer.from(DATA);
    data.writeUInt32LE(bits, at);
    add(`${what} at data byte ${at}`, edited(() => undefined, data), new RegExp(`has ${what.replace('-', '\\-')} in tensor`));
  }
}
{
  // Every tensor as F16, one of them holding an F16 infinity.
  const h = structuredClone(HEADER);
  let offset = 0;
  for (const name of TENSORS) {
    const n = (h[name].data_offsets[1] - h[name].data_offsets[0]) / 4;
    h[name] = { dtype: 'F16', shape: h[name].shape, data_offsets: [offset, offset + 2 * n] };
    offset += 2 * n;
  }
  const data = Buffer.alloc(offset);
  data.writeUInt16LE(0x7c00, 2);
  add('an F16 infinity', withLength(Buffer.from(JSON.stringify(h)), data), /has Infinity in tensor/);
}
// A duplicated key: JSON keeps the last one, so the first one's data belongs to no tensor.
{
  const text = JSON.stringify(HEADER);
  const dup = `${text.slice(0, -1)},"${TENSORS[1]}":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`;
  add('a duplicated tensor name', withLength(Buffer.from(dup)), /overlaps|belong to no tensor/);
}

/** Random single-byte changes in the header: these need not all be errors, but none may crash. */
function fuzzed(seed: number): Buffer {
  const rng = Rng.fromSeed(seed);
  const b = Buffer.from(GOOD);
  const flips = 1 + rng.int(3);
  for (let i = 0; i < flips; i++) b[8 + rng.int(HEADER_LENGTH)] = rng.int(256);
  return b;
}

async function outcome(bytes: Buffer): Promise<Error | null> {
  try {
    await importSafetensors(await sourceFromBytes(bytes, 'hostile.safetensors'));
    return null;
  } catch (err) {
    return err as Error;
  }
}

function assertClean(err: Error, name: string): void {
  assert.ok(err instanceof ModelFileError, `${name}: expected a ModelFileError, got ${err?.name}: ${err?.message?.slice(0, 200)}`);
  assert.ok(err.message.startsWith('hostile.safetensors'), `${name}: the message names the file: ${err.message.slice(0, 100)}`);
  assert.ok(!/[\u0000-\u001f\u007f]/.test(err.message), `${name}: no raw control characters in the message`);
  assert.ok(err.message.length < 400, `${name}: the message is short (${err.message.length} characters)`);
}

describe('import refuses hostile safetensors files', () => {
  it(`has at least 200 hostile cases (${cases.length})`, () => {
    assert.ok(cases.length >= 200);
  });

  it('ends every hostile case in a clean one-line ModelFileError', async () => {
    for (const c of cases) {
      const err = await outcome(c.bytes);
      assert.ok(err !== null, `${c.name}: was accepted`);
      assertClean(err, c.name);
      if (c.message !== undefined) assert.match(err.message, c.message, c.name);
    }
  });

  it('never crashes on 300 randomly damaged headers', async () => {
    let refused = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const err = await outcome(fuzzed(seed));
      if (err !== null) { assertClean(err, `seed ${seed}`); refused++; }
    }
    assert.ok(refused > 200, `most random damage is refused (${refused} of 300)`);
  });
});
