import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exportSafetensors, importSafetensors } from '../../src/model-file/exchange.js';
import {
  bfloat16ToFloat, halfToFloat, MAX_HEADER_BYTES, parseFile, serializeSafetensors, sourceFromBytes,
} from '../../src/model-file/safetensors.js';
import { parameterShapes, sizeOf, validateModelConfig } from '../../src/config/model-config.js';
import { Rng } from '../../src/tensor/rng.js';
import { awkwardFloats, makeModel } from './fixture.js';

const concat = (pieces: Uint8Array[]): Buffer => Buffer.concat(pieces);

/** The header of a file as a JSON value, and a way to rebuild a file from a changed header and data. */
function split(file: Buffer): { header: Record<string, any>; data: Buffer } {
  const n = Number(file.readBigUInt64LE(0));
  return { header: JSON.parse(file.subarray(8, 8 + n).toString('utf8')), data: file.subarray(8 + n) };
}

function join(headerText: string | Buffer, data: Buffer): Buffer {
  const h = typeof headerText === 'string' ? Buffer.from(headerText, 'utf8') : headerText;
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  return Buffer.concat([len, h, data]);
}

async function importBytes(bytes: Uint8Array) {
  return importSafetensors(await sourceFromBytes(bytes, 'test.safetensors'));
}

describe('safetensors export and import', () => {
  it('export then import gives back every weight bit for bit, with the config and vocabulary', async () => {
    for (const cell of ['lstm', 'gru', 'rnn', 'rnn-relu'] as const) {
      const model = makeModel({ cell, resume: true });
      const back = await importBytes(concat(exportSafetensors(model)));
      assert.deepEqual(back.config, model.config);
      assert.deepEqual(back.vocab.toJSON(), model.vocab.toJSON());
      assert.equal(back.training, null, 'no training record');
      assert.equal(back.resume, null, 'no training state');
      assert.deepEqual([...back.weights.keys()], [...model.weights.keys()]);
      for (const [name, t] of model.weights) {
        const got = back.weights.get(name)!;
        assert.deepEqual(got.shape, t.shape);
        assert.deepEqual(new Uint32Array(got.data.slice().buffer), new Uint32Array(t.data.slice().buffer), `${cell} ${name}`);
      }
    }
  });

  it('writes the documented layout: 8-byte length, compact JSON padded to 8 bytes, F32 data in parameter order', () => {
    const model = makeModel({ layers: 1 });
    const file = concat(exportSafetensors(model));
    const n = Number(file.readBigUInt64LE(0));
    assert.equal((8 + n) % 8, 0, 'data starts 8-byte aligned');
    const { header, data } = split(file);
    assert.deepEqual(Object.keys(header), ['__metadata__', ...model.weights.keys()]);
    assert.deepEqual(header.__metadata__, {
      format: 'charlm', version: '1', config: JSON.stringify(model.config), vocab: JSON.stringify(model.vocab.toJSON()),
    });
    let offset = 0;
    for (const [name, t] of model.weights) {
      assert.deepEqual(header[name], { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * t.data.length] });
      for (let i = 0; i < t.data.length; i++) assert.ok(Object.is(data.readFloatLE(offset + 4 * i), t.data[i]));
      offset += 4 * t.data.length;
    }
    assert.equal(data.length, offset);
  });

  it('reads tensors in any order and without padding, as another writer may lay them out', async () => {
    const model = makeModel({ layers: 1 });
    const { header, data } = split(concat(exportSafetensors(model)));
    const names = [...model.weights.keys()].reverse();
    const parts: Buffer[] = [];
    const reordered: Record<string, unknown> = { __metadata__: header.__metadata__ };
    let offset = 0;
    for (const name of names) {
      const [b, e] = header[name].data_offsets;
      parts.push(data.subarray(b, e));
      reordered[name] = { ...header[name], data_offsets: [offset, offset + e - b] };
      offset += e - b;
    }
    const back = await importBytes(join(JSON.stringify(reordered), Buffer.concat(parts)));
    for (const [name, t] of model.weights) assert.deepEqual(back.weights.get(name)!.data, t.data);
  });

  it('widens F16 and BF16 exactly, including subnormals, signed zeros and infinities', () => {
    assert.equal(halfToFloat(0x3c00), 1);
    assert.equal(halfToFloat(0xc000), -2);
    assert.equal(halfToFloat(0x7bff), 65504);
    assert.equal(halfToFloat(0x0001), 2 ** -24);
    assert.equal(halfToFloat(0x03ff), 1023 * 2 ** -24);
    assert.equal(halfToFloat(0x3555), 0.333251953125);
    assert.ok(Object.is(halfToFloat(0x8000), -0));
    assert.equal(halfToFloat(0x7c00), Infinity);
    assert.equal(halfToFloat(0xfc00), -Infinity);
    assert.ok(Number.isNaN(halfToFloat(0x7e00)));
    assert.equal(bfloat16ToFloat(0x3f80), 1);
    assert.equal(bfloat16ToFloat(0xc0a0), -5);
    assert.equal(bfloat16ToFloat(0x0001), new Float32Array(new Uint32Array([0x00010000]).buffer)[0]);
    assert.ok(Object.is(bfloat16ToFloat(0x8000), -0));
    assert.equal(bfloat16ToFloat(0xff80), -Infinity);
    // Every finite half value, widened, is representable in float32 and round-trips through Math.fround.
    for (let bits = 0; bits < 0x10000; bits++) {
      const x = halfToFloat(bits);
      if (Number.isFinite(x)) assert.equal(Math.fround(x), x);
    }
  });

  it('imports a model stored as F16 or BF16, widened to float32', async () => {
    const model = makeModel({ layers: 1 });
    const { header } = split(concat(exportSafetensors(model)));
    for (const dtype of ['F16', 'BF16'] as const) {
      const parts: Buffer[] = [];
      const h: Record<string, unknown> = { __metadata__: header.__metadata__ };
      let offset = 0;
      for (const [name, t] of model.weights) {
        const b = Buffer.alloc(2 * t.data.length);
        // Bits 0x3c00 + i (F16) and 0x3f80 + i (BF16): 1 + i·2^-10 and 1 + i·2^-7, exact in float32.
        for (let i = 0; i < t.data.length; i++) b.writeUInt16LE((dtype === 'F16' ? 0x3c00 : 0x3f80) + (i % 64), 2 * i);
        parts.push(b);
        h[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + b.length] };
        offset += b.length;
      }
      const back = await importBytes(join(JSON.stringify(h), Buffer.concat(parts)));
      for (const t of back.weights.values()) {
        t.data.forEach((x, i) => assert.equal(x, 1 + (i % 64) * (dtype === 'F16' ? 2 ** -10 : 2 ** -7)));
      }
    }
  });

  it('builds the config of a file without charlm metadata from its tensor shapes, with the vocabulary given', async () => {
    const model = makeModel({ cell: 'gru', layers: 2, hiddenSize: 5 });
    const { header, data } = split(concat(exportSafetensors(model)));
    delete header.__metadata__;
    const bare = join(JSON.stringify(header), data);
    const back = await importSafetensors(await sourceFromBytes(bare, 'bare.safetensors'), { vocab: model.vocab });
    assert.deepEqual(back.config, { ...model.config, dropout: 0 });
    await assert.rejects(importBytes(bare), /bare|test.safetensors has no vocabulary in its metadata/);
    const rnn = makeModel({ cell: 'rnn-relu', layers: 1 });
    const r = split(concat(exportSafetensors(rnn)));
    delete r.header.__metadata__;
    const src = await sourceFromBytes(join(JSON.stringify(r.header), r.data), 'rnn.safetensors');
    assert.equal((await importSafetensors(src, { vocab: rnn.vocab })).config.cell, 'rnn');
    assert.equal((await importSafetensors(src, { vocab: rnn.vocab, cell: 'rnn-relu' })).config.cell, 'rnn-relu');
    await assert.rejects(importSafetensors(src, { vocab: rnn.vocab, cell: 'lstm' }), /holds "rnn\." tensors, which --cell lstm does not have/);
  });

  it('round-trips an LSTM with a projection, and infers its projSize from weight_hr_l0 without metadata', async () => {
    const base = makeModel({ layers: 2, hiddenSize: 4 });
    const config = validateModelConfig({ ...base.config, projSize: 2 });
    const rng = Rng.fromSeed(9);
    const weights = new Map(parameterShapes(config).map((s) => [s.name, { shape: [...s.shape], data: awkwardFloats(sizeOf(s.shape), rng) }]));
    assert.ok(weights.has('lstm.weight_hr_l1'));
    const model = { ...base, config, weights };
    const file = concat(exportSafetensors(model));
    const back = await importBytes(file);
    assert.deepEqual(back.config, config);
    for (const [name, t] of weights) assert.deepEqual(back.weights.get(name)!.data, t.data, name);
    const { header, data } = split(file);
    delete header.__metadata__;
    const bare = await importSafetensors(await sourceFromBytes(join(JSON.stringify(header), data), 'bare'), { vocab: model.vocab });
    assert.deepEqual(bare.config, { ...config, dropout: 0 });
  });

  it('writes the same bytes for the same model (what the PyTorch side relies on to be bit-identical)', () => {
    const model = makeModel();
    assert.deepEqual(concat(exportSafetensors(model)), concat(exportSafetensors(makeModel())));
    assert.deepEqual(concat(serializeSafetensors([], new Map())), join('{}      ', Buffer.alloc(0)));
  });
});

describe('a hostile header length allocates nothing', () => {
  it('is refused from the first 8 bytes when it is beyond the file or above the limit', async () => {
    const never = async (): Promise<Uint8Array> => assert.fail('the header must not be read');
    const length = (n: bigint): Uint8Array => { const b = Buffer.alloc(8); b.writeBigUInt64LE(n); return b; };
    await assert.rejects(parseFile(100, length(93n), never, 'f'), /header length 93 is beyond the file's 100 bytes/);
    await assert.rejects(parseFile(100, length(2n ** 64n - 1n), never, 'f'), /header length 18446744073709551615 is beyond/);
    const huge = 10 * 1024 ** 3;
    await assert.rejects(parseFile(huge, length(BigInt(MAX_HEADER_BYTES + 1)), never, 'f'),
      new RegExp(`has a header of ${MAX_HEADER_BYTES + 1} bytes, more than the ${MAX_HEADER_BYTES} bytes charlm reads`));
    await assert.rejects(parseFile(huge, length(3n * 1024n ** 3n), never, 'f'), /more than the 100000000 bytes/);
  });
});
