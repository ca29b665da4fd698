// Loads the WebAssembly SIMD kernel (kernels.wasm, assembled from the .wat fragments beside this file by
// scripts/build-wasm.mjs) and presents it as float32 Kernels. It does not choose between kernels: create-kernels.ts does.
//
// Memory: one shared WebAssembly.Memory. alloc() hands out Float32Array views into it, so the kernels work on the layers'
// buffers in place; growing a shared memory keeps earlier views valid. JavaScript's garbage collector does not manage that
// memory, so the heap frees a block itself: at once when its owner calls release(), else when the collector has reclaimed
// the view alloc() returned (a FinalizationRegistry, whose callbacks run between tasks, never inside synchronous code).
// The view alloc() returned must therefore stay reachable as long as any subarray of it is used. Freed blocks go on a
// free list that later allocations reuse first; a wasm memory never shrinks, so it stays at its high-water mark.
// Buffers from elsewhere (a plain Float32Array, a Float64Array, every Ids array) are copied into scratch space above the
// highest block for the call and copied back afterwards: slower, but correct.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Floats, Ids } from '../floats.js';
import { packingInPlace, type Kernels } from '../kernels.js';
import { adamUpdate } from '../reference-kernels.js';

/** The functions kernels.wasm exports; every pointer is a byte address in the shared memory. */
interface WasmExports {
  gemm(transA: number, transB: number, m: number, n: number, k: number, alpha: number, a: number, lda: number,
       b: number, ldb: number, beta: number, c: number, ldc: number, scratch: number, mc: number, kc: number): void;
  addRowVector(x: number, rows: number, cols: number, v: number): void;
  sumRows(x: number, rows: number, cols: number, out: number): void;
  columns(w: number, G: number, V: number, ids: number, rows: number, out: number, scatter: number): void;
  lstmForward(g: number, cp: number, c: number, h: number, B: number, H: number): void;
  lstmBackward(g: number, cp: number, c: number, dh: number, dc: number, dg: number, B: number, H: number): void;
  gruForward(gx: number, gh: number, hp: number, h: number, B: number, H: number): void;
  gruBackward(gx: number, gh: number, hp: number, dh: number, dgx: number, dgh: number, dhp: number, B: number, H: number): void;
  activationForward(x: number, n: number, relu: number): void;
  activationBackward(y: number, dh: number, dp: number, n: number, relu: number): void;
  softmaxStats(x: number, rows: number, V: number, stats: number): void;
  softmaxOut(x: number, rows: number, V: number, stats: number, out: number, scale: number, ids: number): void;
  mul(x: number, y: number, out: number, n: number): void;
  axpy(n: number, alpha: number, x: number, y: number): void;
  scale(x: number, n: number, alpha: number): void;
  sumSquares(x: number, n: number): number;
}

/** The few WebAssembly JS API members used here (tsconfig's lib has no WebAssembly typings). */
interface WasmMemory { readonly buffer: ArrayBufferLike; grow(pages: number): number }
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const WebAssemblyApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

// The compiled loader is dist/src/tensor/wasm/wasm-kernels.js; the build writes kernels.wasm next to it.
const wasmPath = fileURLToPath(new URL('./kernels.wasm', import.meta.url));

/** (module (func (result v128) (v128.const i32x4 0 0 0 0))): validates only where WebAssembly SIMD exists. */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00,
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, ...new Array<number>(16).fill(0), 0x0b,
]);

const PAGE_BYTES = 65536;
const MAX_PAGES = 32768;            // 2 GiB, the module's declared maximum
// gemm blocking: an MC×KC panel of A (32 KiB) stays in L1 while B streams past it.
const GEMM_MC = 32;
const GEMM_KC = 256;

const align16 = (p: number): number => (p + 15) & ~15;

/** A block of the heap: its byte address and its size in bytes (a multiple of 16). */
interface Block { p: number; bytes: number }

/** The block allocator, the per-call scratch above it, and the copies in and out for buffers outside the memory. */
class WasmHeap {
  f32!: Float32Array;
  f64!: Float64Array;
  i32!: Int32Array;
  private top = 1024;               // end of the highest block; nothing lives at address 0
  private temp = 0;
  /** Free blocks below top, in address order, never two adjacent (they are merged). */
  private readonly free: Block[] = [];
  /** The live block of each view alloc() returned, for release(). */
  private readonly blocks = new WeakMap<Float32Array, Block>();
  private readonly collected = new FinalizationRegistry<Block>((block) => this.give(block));
  private readonly ours = new Set<ArrayBufferLike>();
  private readonly copies: { x: Floats; off: number; count: number; p: number }[] = [];

  constructor(private readonly memory: WasmMemory) {
    this.refresh();
  }

  /** Bytes of wasm memory in use by live blocks (the memory itself only grows). */
  get liveBytes(): number {
    return this.free.reduce((sum, b) => sum - b.bytes, this.top - 1024);
  }

  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  private refresh(): void {
    const buffer = this.memory.buffer;
    this.ours.add(buffer);          // each growth yields a new buffer object over the same memory
    this.f32 = new Float32Array(buffer);
    this.f64 = new Float64Array(buffer);
    this.i32 = new Int32Array(buffer);
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE_BYTES);
      if (have / PAGE_BYTES + pages > MAX_PAGES) throw new RangeError(`wasm kernels: out of memory (${end} bytes wanted)`);
      this.memory.grow(pages);
    }
    if (this.f32.buffer.byteLength < end) this.refresh();
  }

  alloc(length: number): Float32Array {
    if (length === 0) return new Float32Array(this.f32.buffer, 0, 0);
    const block = this.take(align16(length * 4));
    // Scratch space of earlier calls, or a freed buffer, lived here: clear it.
    const view = new Float32Array(this.f32.buffer, block.p, length).fill(0);
    this.blocks.set(view, block);
    this.collected.register(view, block, view);
    return view;
  }

  /** Frees the block of a view alloc() returned (once: a second release, or any other array, does nothing). */
  release(x: Floats): void {
    const block = x instanceof Float32Array ? this.blocks.get(x) : undefined;
    if (block === undefined) return;
    this.blocks.delete(x as Float32Array);
    this.collected.unregister(x);
    this.give(block);
  }

  /** First fit from the free list, else a new block at the top. */
  private take(bytes: number): Block {
    const i = this.free.findIndex((b) => b.bytes >= bytes);
    if (i < 0) {
      const p = this.top;
      this.top = p + bytes;
      this.ensure(this.top);
      return { p, bytes };
    }
    const hole = this.free[i];
    if (hole.bytes === bytes) this.free.splice(i, 1);
    else this.free[i] = { p: hole.p + bytes, bytes: hole.bytes - bytes };
    return { p: hole.p, bytes };
  }

  /** Puts a block back: merged with free neighbours, and given back to the top when it is the highest. */
  private give(block: Block): void {
    let { p, bytes } = block;
    let i = this.free.findIndex((b) => b.p > p);
    if (i < 0) i = this.free.length;
    const next = this.free[i];
    if (next !== undefined && p + bytes === next.p) {
      bytes += next.bytes;
      this.free.splice(i, 1);
    }
    const prev = this.free[i - 1];
    if (prev !== undefined && prev.p + prev.bytes === p) {
      p = prev.p;
      bytes += prev.bytes;
      this.free.splice(--i, 1);
    }
    if (p + bytes === this.top) this.top = p;
    else this.free.splice(i, 0, { p, bytes });
  }

  /** Starts a call: scratch space is everything above the allocated buffers. */
  begin(): void {
    this.temp = align16(this.top);
    this.copies.length = 0;
  }

  scratch(bytes: number): number {
    const p = align16(this.temp);
    this.temp = p + bytes;
    this.ensure(this.temp);
    return p;
  }

  /** The address of x[off], after checking that x[off .. off + count) exists; copies x in when it lives elsewhere. */
  ptr(x: Floats, off: number, count: number, written: boolean): number {
    if (count <= 0) return 0;
    if (!(off >= 0 && off + count <= x.length)) {
      throw new RangeError(`wasm kernels: elements ${off}..${off + count} are outside a buffer of ${x.length}`);
    }
    if (x instanceof Float32Array && this.ours.has(x.buffer)) return x.byteOffset + off * 4;
    const p = this.scratch(count * 4);
    this.f32.set(x.subarray(off, off + count), p >> 2);
    if (written) this.copies.push({ x, off, count, p });
    return p;
  }

  /** ids[off .. off + count) as int32 in scratch, each checked to be a valid index below V. */
  ids(ids: Ids, off: number, count: number, V: number): number {
    if (!(off >= 0 && off + count <= ids.length)) throw new RangeError('wasm kernels: ids outside their array');
    const p = this.scratch(count * 4);
    const i32 = this.i32;
    for (let r = 0; r < count; r++) {
      const id = ids[off + r];
      if (!(id >= 0 && id < V)) throw new RangeError(`wasm kernels: id ${id} is outside the vocabulary of ${V}`);
      i32[(p >> 2) + r] = id;
    }
    return p;
  }

  /** Ends a call: copies the written buffers that live outside the memory back. */
  end(): void {
    for (const { x, off, count, p } of this.copies) x.set(this.f32.subarray(p >> 2, (p >> 2) + count), off);
    this.copies.length = 0;
  }
}

/** Elements spanned by an r×c matrix with leading dimension ld. */
const extent = (r: number, c: number, ld: number): number => (r > 0 && c > 0 ? (r - 1) * ld + c : 0);

function wrap(ex: WasmExports, heap: WasmHeap): Kernels {
  /** Softmax pass 1 plus the logarithms: stats[2r] = row max, stats[2r + 1] = log Σ exp(x/T − max). */
  function softmaxStats(px: number, rows: number, V: number): number {
    const stats = heap.scratch(rows * 16);
    ex.softmaxStats(px, rows, V, stats);
    const f64 = heap.f64;
    for (let r = 0, i = stats >> 3; r < rows; r++, i += 2) f64[i + 1] = Math.log(f64[i + 1]);
    return stats;
  }

  const gemm: Kernels['gemm'] = (transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc) => {
    heap.begin();
    const pc = heap.ptr(c, cOff, extent(m, n, ldc), true);
    const reads = alpha !== 0 && k > 0;  // alpha = 0 or k = 0 only scales C
    const pa = reads ? heap.ptr(a, aOff, transA ? extent(k, m, lda) : extent(m, k, lda), false) : 0;
    const pb = reads ? heap.ptr(b, bOff, transB ? extent(n, k, ldb) : extent(k, n, ldb), false) : 0;
    const scratch = reads ? heap.scratch(((transB ? 0 : n * k) + GEMM_MC * GEMM_KC) * 4 + 32) : 0;
    ex.gemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, scratch, GEMM_MC, GEMM_KC);
    heap.end();
  };

  return {
    name: 'wasm',
    dtype: 'f32',
    alloc: (length) => heap.alloc(length),
    release: (buffer) => heap.release(buffer),
    gemm,
    // B is read in place: the WebAssembly gemm packs per call, and the recurrent products have not been worth a packed path.
    ...packingInPlace(gemm),
    addRowVector(x, xOff, rows, cols, v, vOff) {
      heap.begin();
      ex.addRowVector(heap.ptr(x, xOff, rows * cols, true), rows, cols, heap.ptr(v, vOff, rows > 0 ? cols : 0, false));
      heap.end();
    },
    sumRows(x, xOff, rows, cols, out, outOff) {
      heap.begin();
      ex.sumRows(heap.ptr(x, xOff, rows * cols, false), rows, cols, heap.ptr(out, outOff, rows > 0 ? cols : 0, true));
      heap.end();
    },
    gatherColumns(w, wOff, G, V, ids, idsOff, rows, out, outOff) {
      heap.begin();
      const pw = heap.ptr(w, wOff, rows > 0 ? G * V : 0, false);
      const pids = heap.ids(ids, idsOff, rows, V);
      ex.columns(pw, G, V, pids, rows, heap.ptr(out, outOff, rows * G, true), 0);
      heap.end();
    },
    scatterAddColumns(dW, dWOff, G, V, ids, idsOff, rows, dOut, dOutOff) {
      heap.begin();
      const pd = heap.ptr(dOut, dOutOff, rows * G, false);
      const pids = heap.ids(ids, idsOff, rows, V);
      ex.columns(heap.ptr(dW, dWOff, rows > 0 ? G * V : 0, true), G, V, pids, rows, pd, 1);
      heap.end();
    },
    lstmCellForward({ B, H, gates, gatesOff, cPrev, cPrevOff, c, cOff, h, hOff }) {
      heap.begin();
      const n = B * H;
      ex.lstmForward(heap.ptr(gates, gatesOff, 4 * n, true), heap.ptr(cPrev, cPrevOff, n, false), heap.ptr(c, cOff, n, true),
        heap.ptr(h, hOff, n, true), B, H);
      heap.end();
    },
    lstmCellBackward({ B, H, gates, gatesOff, cPrev, cPrevOff, c, cOff, dH, dHOff, dC, dCOff, dGates, dGatesOff }) {
      heap.begin();
      const n = B * H;
      ex.lstmBackward(heap.ptr(gates, gatesOff, 4 * n, false), heap.ptr(cPrev, cPrevOff, n, false),
        heap.ptr(c, cOff, n, false), heap.ptr(dH, dHOff, n, false), heap.ptr(dC, dCOff, n, true),
        heap.ptr(dGates, dGatesOff, 4 * n, true), B, H);
      heap.end();
    },
    gruCellForward({ B, H, gx, gxOff, gh, ghOff, hPrev, hPrevOff, h, hOff }) {
      heap.begin();
      const n = B * H;
      ex.gruForward(heap.ptr(gx, gxOff, 3 * n, true), heap.ptr(gh, ghOff, 3 * n, false), heap.ptr(hPrev, hPrevOff, n, false),
        heap.ptr(h, hOff, n, true), B, H);
      heap.end();
    },
    gruCellBackward({ B, H, gx, gxOff, gh, ghOff, hPrev, hPrevOff, dH, dHOff, dGx, dGxOff, dGh, dGhOff, dHPrev, dHPrevOff }) {
      heap.begin();
      const n = B * H;
      ex.gruBackward(heap.ptr(gx, gxOff, 3 * n, false), heap.ptr(gh, ghOff, 3 * n, false), heap.ptr(hPrev, hPrevOff, n, false),
        heap.ptr(dH, dHOff, n, false), heap.ptr(dGx, dGxOff, 3 * n, true), heap.ptr(dGh, dGhOff, 3 * n, true),
        heap.ptr(dHPrev, dHPrevOff, n, true), B, H);
      heap.end();
    },
    activationForward({ kind, n, x, xOff }) {
      heap.begin();
      ex.activationForward(heap.ptr(x, xOff, n, true), n, kind === 'relu' ? 1 : 0);
      heap.end();
    },
    activationBackward({ kind, n, y, yOff, dH, dHOff, dPre, dPreOff }) {
      heap.begin();
      ex.activationBackward(heap.ptr(y, yOff, n, false), heap.ptr(dH, dHOff, n, false), heap.ptr(dPre, dPreOff, n, true), n,
        kind === 'relu' ? 1 : 0);
      heap.end();
    },
    softmaxCrossEntropy(logits, lOff, rows, V, targets, tOff, dLogits, dOff, gradScale) {
      heap.begin();
      const pl = heap.ptr(logits, lOff, rows * V, false);
      const pids = heap.ids(targets, tOff, rows, V);
      const stats = softmaxStats(pl, rows, V);
      // −log softmax(x)[t] = max + log Σ exp(x − max) − x[t], in float64
      let total = 0;
      const f64 = heap.f64;
      for (let r = 0, i = stats >> 3; r < rows; r++, i += 2) total += f64[i] + f64[i + 1] - logits[lOff + r * V + targets[tOff + r]];
      if (dLogits !== null) ex.softmaxOut(pl, rows, V, stats, heap.ptr(dLogits, dOff, rows * V, true), gradScale, pids);
      heap.end();
      return total;
    },
    mul(x, xOff, y, yOff, out, outOff, n) {
      heap.begin();
      ex.mul(heap.ptr(x, xOff, n, false), heap.ptr(y, yOff, n, false), heap.ptr(out, outOff, n, true), n);
      heap.end();
    },
    axpy(x, xOff, y, yOff, n, alpha) {
      heap.begin();
      ex.axpy(n, alpha, heap.ptr(x, xOff, n, false), heap.ptr(y, yOff, n, true));
      heap.end();
    },
    scale(x, xOff, n, alpha) {
      heap.begin();
      ex.scale(heap.ptr(x, xOff, n, true), n, alpha);
      heap.end();
    },
    sumSquares(x, xOff, n) {
      heap.begin();
      const s = ex.sumSquares(heap.ptr(x, xOff, n, false), n);
      heap.end();
      return s;
    },
    // A pass over four vectors that are not in the wasm memory: copying them in and out would cost more than SIMD saves.
    adam: adamUpdate,
  };
}

let cached: Kernels | null | undefined;
let cachedHeap: WasmHeap | null = null;

/** The wasm memory's size and the bytes its live buffers take, or null without the wasm kernel. */
export function wasmMemoryUse(): { memoryBytes: number; liveBytes: number } | null {
  return cachedHeap === null ? null : { memoryBytes: cachedHeap.memoryBytes, liveBytes: cachedHeap.liveBytes };
}

/**
 * The WebAssembly SIMD float32 kernels, or null where WebAssembly SIMD or shared memory is missing or kernels.wasm was
 * not built. Loaded once and cached: every caller shares one memory.
 */
export function loadWasmKernels(): Kernels | null {
  if (cached !== undefined) return cached;
  cached = null;
  try {
    const wa = WebAssemblyApi;
    if (wa === undefined || !wa.validate(SIMD_PROBE) || !existsSync(wasmPath)) return cached;
    const memory = new wa.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
    const instance = new wa.Instance(new wa.Module(readFileSync(wasmPath)), { env: { memory } });
    cachedHeap = new WasmHeap(memory);
    cached = wrap(instance.exports as unknown as WasmExports, cachedHeap);
  } catch {
    // An engine without threads (shared memory) or a damaged file: the other kernels take over.
  }
  return cached;
}
