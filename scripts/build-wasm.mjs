// Assembles the WebAssembly SIMD kernel: joins the .wat fragments of src/tensor/wasm/ into one module and writes
// dist/src/tensor/wasm/kernels.wasm beside the compiled loader. Run by `npm run build` after tsc; needs the wabt
// devDependency (JavaScript/wasm, no download). Without wabt it says so and exits 0: charlm then runs without this kernel.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = join(root, 'src', 'tensor', 'wasm');
const outFile = join(root, 'dist', 'src', 'tensor', 'wasm', 'kernels.wasm');

// Order matters only for reading: helpers first. Each fragment is a list of module fields.
const fragments = ['math.wat', 'gemm.wat', 'cells.wat', 'rows.wat'];

let wabtFactory;
try {
  wabtFactory = (await import('wabt')).default;
} catch {
  console.error('build-wasm: the wabt package is not installed; skipping kernels.wasm (the wasm kernel will be unavailable)');
  process.exit(0);
}

// The module imports its memory so that JavaScript can create it shared (growing it then keeps every view valid).
const parts = ['(module', '  (import "env" "memory" (memory 1 32768 shared))'];
for (const name of fragments) parts.push(`;; ---- ${name} ----`, readFileSync(join(sourceDir, name), 'utf8'));
parts.push(')');
const text = expandSplats(parts.join('\n'));

/**
 * (splat NAME) → a v128 of four copies of native/approx.h's constant NAME (the exp/sigmoid/tanh constants both kernels
 * share), (splat 1.5) → four copies of the number. The replacement keeps the line count, so error lines stay right.
 */
function expandSplats(wat) {
  const constants = new Map();
  for (const m of readFileSync(join(root, 'native', 'approx.h'), 'utf8').matchAll(/constexpr float (\w+) = ([-+.\deE]+)f;/g)) {
    constants.set(m[1], m[2]);
  }
  return wat.replace(/\(splat ([\w.+-]+)\)/g, (_, name) => {
    const value = /^[-+.\d]/.test(name) ? name : constants.get(name);
    if (value === undefined) {
      console.error(`build-wasm: (splat ${name}): native/approx.h defines no constant ${name}`);
      process.exit(1);
    }
    return `(v128.const f32x4 ${value} ${value} ${value} ${value})`;
  });
}

const wabt = await wabtFactory();
let module;
try {
  module = wabt.parseWat('kernels.wat', text, { simd: true, threads: true, bulk_memory: true });
} catch (err) {
  // wabt reports lines of the joined text: name the fragment and its line.
  const message = String(err?.message ?? err);
  const line = Number(/kernels\.wat:(\d+)/.exec(message)?.[1]);
  if (Number.isFinite(line)) {
    const before = text.split('\n').slice(0, line);
    const marker = before.findLastIndex((l) => l.startsWith(';; ---- '));
    if (marker >= 0) console.error(`build-wasm: in ${before[marker].slice(8, -5)} line ${line - marker - 1}`);
  }
  console.error(message);
  process.exit(1);
}
const { buffer } = module.toBinary({});
module.destroy();
// wabt's validator ignores the threads feature (it rejects shared memory), so Node's own validator checks the binary.
try {
  new WebAssembly.Module(buffer);
} catch (err) {
  console.error(`build-wasm: the assembled module does not validate: ${err.message}`);
  process.exit(1);
}
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, buffer);
console.log(`build-wasm: wrote ${outFile.slice(root.length + 1)} (${buffer.length} bytes)`);
