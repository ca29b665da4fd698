// The reference Kernels: plain TypeScript loops, the specification that every faster implementation is tested against
// (test/tensor/kernel-cases.ts); they allocate nothing per call. Plain loops except the gemm, which has one loop order per
// transpose pair, each unrolled by four for speed: these kernels also run every float64 gradient check, and every model
// on a runtime without WebAssembly SIMD and without the native kernel.

import { allocFloats, type DType, type Floats, type Ids } from './floats.js';
import {
  packingInPlace, type AdamArgs, type GruCellBackwardArgs, type GruCellForwardArgs, type Kernels, type LstmCellBackwardArgs,
  type LstmCellForwardArgs,
} from './kernels.js';

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** C (m×n, leading dimension ldc) = beta · C, where beta = 0 overwrites without reading (C may hold NaN). */
function scaleMatrix(beta: number, m: number, n: number, c: Floats, cOff: number, ldc: number): void {
  if (beta === 1) return;
  for (let i = 0; i < m; i++) {
    const row = cOff + i * ldc;
    if (beta === 0) c.fill(0, row, row + n);
    else for (let j = 0; j < n; j++) c[row + j] *= beta;
  }
}

function gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
              a: Floats, aOff: number, lda: number, b: Floats, bOff: number, ldb: number,
              beta: number, c: Floats, cOff: number, ldc: number): void {
  scaleMatrix(beta, m, n, c, cOff, ldc);
  if (alpha === 0 || k === 0) return;
  // Each branch picks the loop order whose innermost loop walks memory contiguously.
  if (!transA && !transB) {
    // C[i,:] += alpha·A[i,p] · B[p,:]   (i-p-j order; four p at a time so each C element is loaded and stored once per four)
    for (let i = 0; i < m; i++) {
      const cRow = cOff + i * ldc;
      const aRow = aOff + i * lda;
      let p = 0;
      for (; p + 4 <= k; p += 4) {
        const a0 = alpha * a[aRow + p], a1 = alpha * a[aRow + p + 1], a2 = alpha * a[aRow + p + 2], a3 = alpha * a[aRow + p + 3];
        const b0 = bOff + p * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
        for (let j = 0; j < n; j++) c[cRow + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
      }
      for (; p < k; p++) {
        const aip = alpha * a[aRow + p];
        const bRow = bOff + p * ldb;
        for (let j = 0; j < n; j++) c[cRow + j] += aip * b[bRow + j];
      }
    }
  } else if (!transA && transB) {
    // C[i,j] += alpha · (A[i,:] · B[j,:]), a dot product of two contiguous rows; four j at a time share the loads of A.
    for (let i = 0; i < m; i++) {
      const aRow = aOff + i * lda;
      const cRow = cOff + i * ldc;
      let j = 0;
      for (; j + 4 <= n; j += 4) {
        const b0 = bOff + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let p = 0; p < k; p++) {
          const x = a[aRow + p];
          s0 += x * b[b0 + p];
          s1 += x * b[b1 + p];
          s2 += x * b[b2 + p];
          s3 += x * b[b3 + p];
        }
        c[cRow + j] += alpha * s0;
        c[cRow + j + 1] += alpha * s1;
        c[cRow + j + 2] += alpha * s2;
        c[cRow + j + 3] += alpha * s3;
      }
      for (; j < n; j++) {
        const bRow = bOff + j * ldb;
        let sum = 0;
        for (let p = 0; p < k; p++) sum += a[aRow + p] * b[bRow + p];
        c[cRow + j] += alpha * sum;
      }
    }
  } else if (transA && !transB) {
    // A is stored k×m: C[i,:] += alpha·A[p,i] · B[p,:]   (p-i-j order, four p at a time as above)
    let p = 0;
    for (; p + 4 <= k; p += 4) {
      const a0 = aOff + p * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
      const b0 = bOff + p * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
      for (let i = 0; i < m; i++) {
        const x0 = alpha * a[a0 + i], x1 = alpha * a[a1 + i], x2 = alpha * a[a2 + i], x3 = alpha * a[a3 + i];
        const cRow = cOff + i * ldc;
        for (let j = 0; j < n; j++) c[cRow + j] += x0 * b[b0 + j] + x1 * b[b1 + j] + x2 * b[b2 + j] + x3 * b[b3 + j];
      }
    }
    for (; p < k; p++) {
      const aRow = aOff + p * lda;
      const bRow = bOff + p * ldb;
      for (let i = 0; i < m; i++) {
        const api = alpha * a[aRow + i];
        const cRow = cOff + i * ldc;
        for (let j = 0; j < n; j++) c[cRow + j] += api * b[bRow + j];
      }
    }
  } else {
    // Both transposed (rare): C[i,j] += alpha · Σ_p A[p,i] · B[j,p].
    for (let i = 0; i < m; i++) {
      const cRow = cOff + i * ldc;
      for (let j = 0; j < n; j++) {
        const bRow = bOff + j * ldb;
        let sum = 0;
        for (let p = 0; p < k; p++) sum += a[aOff + p * lda + i] * b[bRow + p];
        c[cRow + j] += alpha * sum;
      }
    }
  }
}

function lstmCellForward({ B, H, gates, gatesOff, cPrev, cPrevOff, c, cOff, h, hOff }: LstmCellForwardArgs): void {
  for (let r = 0; r < B; r++) {
    const g0 = gatesOff + r * 4 * H;
    for (let j = 0; j < H; j++) {
      const i = sigmoid(gates[g0 + j]);
      const f = sigmoid(gates[g0 + H + j]);
      const g = Math.tanh(gates[g0 + 2 * H + j]);
      const o = sigmoid(gates[g0 + 3 * H + j]);
      gates[g0 + j] = i;
      gates[g0 + H + j] = f;
      gates[g0 + 2 * H + j] = g;
      gates[g0 + 3 * H + j] = o;
      const cNew = f * cPrev[cPrevOff + r * H + j] + i * g;
      c[cOff + r * H + j] = cNew;
      h[hOff + r * H + j] = o * Math.tanh(cNew);
    }
  }
}

function lstmCellBackward(a: LstmCellBackwardArgs): void {
  const { B, H, gates, gatesOff, cPrev, cPrevOff, c, cOff, dH, dHOff, dC, dCOff, dGates, dGatesOff } = a;
  for (let r = 0; r < B; r++) {
    const g0 = gatesOff + r * 4 * H;
    const d0 = dGatesOff + r * 4 * H;
    for (let j = 0; j < H; j++) {
      const i = gates[g0 + j];
      const f = gates[g0 + H + j];
      const g = gates[g0 + 2 * H + j];
      const o = gates[g0 + 3 * H + j];
      const tanhC = Math.tanh(c[cOff + r * H + j]);
      const dh = dH[dHOff + r * H + j];
      // dc_t = (from step t+1) + dh_t · o · (1 − tanh²c_t)
      const dc = dC[dCOff + r * H + j] + dh * o * (1 - tanhC * tanhC);
      dGates[d0 + j] = dc * g * i * (1 - i);
      dGates[d0 + H + j] = dc * cPrev[cPrevOff + r * H + j] * f * (1 - f);
      dGates[d0 + 2 * H + j] = dc * i * (1 - g * g);
      dGates[d0 + 3 * H + j] = dh * tanhC * o * (1 - o);
      dC[dCOff + r * H + j] = dc * f;
    }
  }
}

function gruCellForward({ B, H, gx, gxOff, gh, ghOff, hPrev, hPrevOff, h, hOff }: GruCellForwardArgs): void {
  for (let row = 0; row < B; row++) {
    const x0 = gxOff + row * 3 * H;
    const h0 = ghOff + row * 3 * H;
    for (let j = 0; j < H; j++) {
      const r = sigmoid(gx[x0 + j] + gh[h0 + j]);
      const z = sigmoid(gx[x0 + H + j] + gh[h0 + H + j]);
      const n = Math.tanh(gx[x0 + 2 * H + j] + r * gh[h0 + 2 * H + j]);
      gx[x0 + j] = r;
      gx[x0 + H + j] = z;
      gx[x0 + 2 * H + j] = n;
      h[hOff + row * H + j] = (1 - z) * n + z * hPrev[hPrevOff + row * H + j];
    }
  }
}

function gruCellBackward(a: GruCellBackwardArgs): void {
  const { B, H, gx, gxOff, gh, ghOff, hPrev, hPrevOff, dH, dHOff, dGx, dGxOff, dGh, dGhOff, dHPrev, dHPrevOff } = a;
  for (let row = 0; row < B; row++) {
    const x0 = gxOff + row * 3 * H;
    const h0 = ghOff + row * 3 * H;
    const dx0 = dGxOff + row * 3 * H;
    const dh0 = dGhOff + row * 3 * H;
    for (let j = 0; j < H; j++) {
      const r = gx[x0 + j];
      const z = gx[x0 + H + j];
      const n = gx[x0 + 2 * H + j];
      const hp = hPrev[hPrevOff + row * H + j];
      const dh = dH[dHOff + row * H + j];
      const dnPre = dh * (1 - z) * (1 - n * n);          // through n = tanh(·)
      const dzPre = dh * (hp - n) * z * (1 - z);          // through z = σ(·)
      const drPre = dnPre * gh[h0 + 2 * H + j] * r * (1 - r); // r multiplies gh_n inside the tanh
      dGx[dx0 + j] = drPre;
      dGx[dx0 + H + j] = dzPre;
      dGx[dx0 + 2 * H + j] = dnPre;
      dGh[dh0 + j] = drPre;
      dGh[dh0 + H + j] = dzPre;
      dGh[dh0 + 2 * H + j] = dnPre * r;
      dHPrev[dHPrevOff + row * H + j] = dh * z;
    }
  }
}

function softmaxCrossEntropy(logits: Floats, lOff: number, rows: number, V: number, targets: Ids, tOff: number,
                             dLogits: Floats | null, dOff: number, gradScale: number): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const row = lOff + r * V;
    let max = -Infinity;
    for (let v = 0; v < V; v++) if (logits[row + v] > max) max = logits[row + v];
    let sumExp = 0;
    for (let v = 0; v < V; v++) sumExp += Math.exp(logits[row + v] - max);
    const logSumExp = max + Math.log(sumExp);
    const target = targets[tOff + r];
    total += logSumExp - logits[row + target];
    if (dLogits !== null) {
      const dRow = dOff + r * V;
      for (let v = 0; v < V; v++) dLogits[dRow + v] = gradScale * Math.exp(logits[row + v] - logSumExp);
      dLogits[dRow + target] -= gradScale;
    }
  }
  return total;
}

export function createReferenceKernels(dtype: DType): Kernels {
  return {
    name: 'reference',
    dtype,
    alloc: (length) => allocFloats(dtype, length),
    release: () => {},  // the garbage collector reclaims it
    gemm,
    ...packingInPlace(gemm),
    addRowVector(x, xOff, rows, cols, v, vOff) {
      for (let r = 0; r < rows; r++) {
        const row = xOff + r * cols;
        for (let j = 0; j < cols; j++) x[row + j] += v[vOff + j];
      }
    },
    sumRows(x, xOff, rows, cols, out, outOff) {
      for (let r = 0; r < rows; r++) {
        const row = xOff + r * cols;
        for (let j = 0; j < cols; j++) out[outOff + j] += x[row + j];
      }
    },
    gatherColumns(w, wOff, G, V, ids, idsOff, rows, out, outOff) {
      for (let r = 0; r < rows; r++) {
        const col = wOff + ids[idsOff + r];
        const row = outOff + r * G;
        for (let g = 0; g < G; g++) out[row + g] += w[col + g * V];
      }
    },
    scatterAddColumns(dW, dWOff, G, V, ids, idsOff, rows, dOut, dOutOff) {
      for (let r = 0; r < rows; r++) {
        const col = dWOff + ids[idsOff + r];
        const row = dOutOff + r * G;
        for (let g = 0; g < G; g++) dW[col + g * V] += dOut[row + g];
      }
    },
    lstmCellForward,
    lstmCellBackward,
    gruCellForward,
    gruCellBackward,
    activationForward({ kind, n, x, xOff }) {
      if (kind === 'tanh') for (let i = xOff; i < xOff + n; i++) x[i] = Math.tanh(x[i]);
      else for (let i = xOff; i < xOff + n; i++) x[i] = x[i] < 0 ? 0 : x[i]; // NaN stays NaN so divergence is seen
    },
    activationBackward({ kind, n, y, yOff, dH, dHOff, dPre, dPreOff }) {
      if (kind === 'tanh') {
        for (let i = 0; i < n; i++) dPre[dPreOff + i] = dH[dHOff + i] * (1 - y[yOff + i] * y[yOff + i]);
      } else {
        for (let i = 0; i < n; i++) dPre[dPreOff + i] = y[yOff + i] > 0 ? dH[dHOff + i] : 0;
      }
    },
    softmaxCrossEntropy,
    mul(x, xOff, y, yOff, out, outOff, n) {
      for (let i = 0; i < n; i++) out[outOff + i] = x[xOff + i] * y[yOff + i];
    },
    axpy(x, xOff, y, yOff, n, alpha) {
      for (let i = 0; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    },
    scale(x, xOff, n, alpha) {
      for (let i = xOff; i < xOff + n; i++) x[i] *= alpha;
    },
    sumSquares(x, xOff, n) {
      let sum = 0;
      for (let i = xOff; i < xOff + n; i++) sum += x[i] * x[i];
      return sum;
    },
    adam: adamUpdate,
  };
}

/** The reference Adam update (Kernels.adam), also the WebAssembly kernel's: m and v are read back as stored. */
export function adamUpdate({ n, values, grads, m, v, lr, beta1, beta2, eps, l2, shrink, correction1, correction2 }: AdamArgs): void {
  for (let i = 0; i < n; i++) {
    const g = grads[i] + l2 * values[i];
    m[i] = beta1 * m[i] + (1 - beta1) * g;
    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
    values[i] = values[i] * shrink - lr * (m[i] / correction1) / (Math.sqrt(v[i] / correction2) + eps);
  }
}
