// All of a model's parameters in ONE flat block of values and one of gradients, with a named view per tensor (PyTorch
// names, in parameterShapes order). Optimizers and clipping see one long vector; layers see their own tensors.

import { parameterShapes, sizeOf, type ModelConfig } from '../config/model-config.js';
import { ConfigError } from '../errors.js';
import type { Floats } from '../tensor/floats.js';
import type { Kernels } from '../tensor/kernels.js';

/** One named tensor inside the flat block: elements [offset, offset + size) of values and grads. */
export interface ParameterEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
}

export class Parameters {
  /** Every parameter, end to end (count). */
  readonly values: Floats;
  /** The gradient of each value, same layout; backward adds into it, zeroGrads clears it. */
  readonly grads: Floats;
  readonly count: number;
  readonly specs: readonly ParameterEntry[];
  private readonly valueViews = new Map<string, Floats>();
  private readonly gradViews = new Map<string, Floats>();

  constructor(specs: readonly { name: string; shape: readonly number[] }[], kernels: Kernels) {
    let offset = 0;
    const entries: ParameterEntry[] = [];
    for (const s of specs) {
      const size = sizeOf(s.shape);
      entries.push(Object.freeze({ name: s.name, shape: Object.freeze([...s.shape]), offset, size }));
      offset += size;
    }
    this.count = offset;
    this.specs = Object.freeze(entries);
    this.values = kernels.alloc(offset);
    this.grads = kernels.alloc(offset);
    for (const e of entries) {
      this.valueViews.set(e.name, this.values.subarray(e.offset, e.offset + e.size));
      this.gradViews.set(e.name, this.grads.subarray(e.offset, e.offset + e.size));
    }
  }

  static forConfig(config: ModelConfig, kernels: Kernels): Parameters {
    return new Parameters(parameterShapes(config), kernels);
  }

  has(name: string): boolean {
    return this.valueViews.has(name);
  }

  /** The values of one tensor: a view into `values` (writing it changes the model). */
  view(name: string): Floats {
    return this.lookup(this.valueViews, name);
  }

  /** The gradient of one tensor: a view into `grads`. */
  gradView(name: string): Floats {
    return this.lookup(this.gradViews, name);
  }

  zeroGrads(): void {
    this.grads.fill(0);
  }

  private lookup(views: Map<string, Floats>, name: string): Floats {
    const v = views.get(name);
    if (v === undefined) throw new ConfigError(`the model has no parameter named "${name}"`);
    return v;
  }
}
