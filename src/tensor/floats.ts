// Float buffers and the element types the numeric core runs in: float32 for training, float64 for gradient checks.

export type Floats = Float32Array | Float64Array;
export type DType = 'f32' | 'f64';
/** Symbol indices: a compact typed array (Uint16Array when the vocabulary fits, Uint32Array otherwise). */
export type Ids = Uint16Array | Uint32Array | Int32Array;

export function allocFloats(dtype: DType, length: number): Floats {
  switch (dtype) {
    case 'f32':
      return new Float32Array(length);
    case 'f64':
      return new Float64Array(length);
  }
}

export function dtypeOf(x: Floats): DType {
  return x instanceof Float64Array ? 'f64' : 'f32';
}
