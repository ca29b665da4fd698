// Builds the optional native kernel (build/Release/charlm_native.node) with the node-gyp that ships inside npm, offline
// against the installed Node headers. Any failure prints one line and exits 0: charlm then runs on its WebAssembly SIMD
// kernel (or, without WebAssembly SIMD, its TypeScript kernels).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function findNodeGyp() {
  // npm passes its bundled node-gyp to lifecycle scripts; otherwise look beside the running node's npm.
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((p) => p !== undefined && p !== '' && existsSync(p));
}

function findNodeDir() {
  // Headers installed beside node (e.g. /usr/include/node/node_api.h) let node-gyp build without downloading them.
  const prefix = resolve(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

function skip(reason) {
  console.log(`charlm: native kernel not built (${reason}); charlm will use its WebAssembly kernel`);
  process.exit(0);
}

if (process.env.CHARLM_SKIP_NATIVE === '1') skip('CHARLM_SKIP_NATIVE=1');
const nodeGyp = findNodeGyp();
if (nodeGyp === undefined) skip('node-gyp not found');
const args = [nodeGyp, 'rebuild', '--release'];
const nodedir = process.env.npm_config_nodedir || findNodeDir();
if (nodedir !== undefined) args.push(`--nodedir=${nodedir}`);
const result = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (result.status !== 0 || !existsSync(join(root, 'build', 'Release', 'charlm_native.node'))) {
  const lines = `${result.stderr ?? ''}\n${result.error?.message ?? ''}`.split('\n').filter((l) => /error/i.test(l));
  skip(lines.length > 0 ? lines[0].trim().slice(0, 160) : `node-gyp exited with ${result.status}`);
}
console.log('charlm: native kernel built (build/Release/charlm_native.node)');
