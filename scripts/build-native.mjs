// Installs the native kernel (build/Release/charlm_native.node), run by `npm install`. In order:
//   1. the prebuilt binary for this platform (prebuilds/<platform>-<arch>/charlm_native.node, made by scripts/prebuild.mjs)
//      when it loads here and was compiled from exactly the sources in native/ (its sourceHash): no compiler needed;
//   2. else a build from source with the node-gyp that ships inside npm, offline against the installed Node headers;
//   3. else nothing: charlm then runs on its WebAssembly SIMD kernel (or, without WebAssembly SIMD, its TypeScript ones).
// Any failure prints one line and exits 0. CHARLM_SKIP_NATIVE=1 skips all three; CHARLM_NATIVE_FROM_SOURCE=1 skips step 1.
import { copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nativeSourceHash } from './native-source-hash.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'build', 'Release', 'charlm_native.node');
export const prebuiltPath = join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'charlm_native.node');

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

/** Loads the prebuilt binary in a child process (a binary that crashes must not take the install with it). */
function prebuiltFacts() {
  if (!existsSync(prebuiltPath)) return { problem: `no prebuilt binary for ${process.platform}-${process.arch}` };
  const probe = 'const a = require(process.argv[1]); process.stdout.write(JSON.stringify({ isa: a.isa, hash: a.sourceHash }))';
  const r = spawnSync(process.execPath, ['-e', probe, prebuiltPath], { encoding: 'utf8' });
  if (r.status !== 0) return { problem: 'the prebuilt binary does not load here' };
  const facts = JSON.parse(r.stdout);
  if (facts.hash !== nativeSourceHash(root)) return { problem: 'the prebuilt binary is older than the sources in native/' };
  return facts;
}

function buildFromSource(why) {
  const nodeGyp = findNodeGyp();
  if (nodeGyp === undefined) skip(`${why}, and node-gyp was not found`);
  const args = [nodeGyp, 'rebuild', '--release'];
  const nodedir = process.env.npm_config_nodedir || findNodeDir();
  if (nodedir !== undefined) args.push(`--nodedir=${nodedir}`);
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0 || !existsSync(target)) {
    const lines = `${result.stderr ?? ''}\n${result.error?.message ?? ''}`.split('\n').filter((l) => /error|not found/i.test(l));
    skip(`${why}; building from source failed: ${lines.length > 0 ? lines[0].trim().slice(0, 160) : `node-gyp exited with ${result.status}`}`);
  }
  console.log('charlm: native kernel built from source (build/Release/charlm_native.node)');
}

/**
 * Puts a copy of `from` at `to` as a new file, renamed into place: a charlm still running the old binary keeps it mapped
 * (copying over it in place changed the code under a running training, which then crashed with a segmentation fault).
 */
export function installBinary(from, to) {
  const tmp = `${to}.${process.pid}.tmp`;
  copyFileSync(from, tmp);
  renameSync(tmp, to);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.env.CHARLM_SKIP_NATIVE === '1') skip('CHARLM_SKIP_NATIVE=1');
  const prebuilt = process.env.CHARLM_NATIVE_FROM_SOURCE === '1' ? { problem: 'CHARLM_NATIVE_FROM_SOURCE=1' } : prebuiltFacts();
  if (prebuilt.problem === undefined) {
    mkdirSync(dirname(target), { recursive: true });
    installBinary(prebuiltPath, target);
    console.log(`charlm: using the prebuilt native kernel (${process.platform}-${process.arch}; ${prebuilt.isa} on this CPU)`);
  } else {
    buildFromSource(prebuilt.problem);
  }
}
