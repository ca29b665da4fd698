// The prebuilt native binary (prebuilds/<platform>-<arch>/, made by `npm run native:prebuild`): small, made from the sources
// in native/ as they are now, and what a clean install on a machine without a C++ compiler loads (issue 16).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { tmpDir } from '../helpers/tmp.js';

const root = resolve('.');
const prebuilt = join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'charlm_native.node');
const present = existsSync(prebuilt);
if (!present) console.log(`# prebuilt binary tests skipped: no prebuilt binary for ${process.platform}-${process.arch}`);

/** A PATH with node and nothing else: no g++, c++, cc, make or python3. */
function compilerlessPath(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  return bin;
}

describe('prebuilt native binary', { skip: !present && `no prebuilt binary for ${process.platform}-${process.arch}` }, () => {
  it('stays small (under 1 MiB)', () => {
    const bytes = statSync(prebuilt).size;
    assert.ok(bytes < 1 << 20, `prebuilt binary is ${bytes} bytes`);
  });

  it('was built from the sources in native/ as they are now', () => {
    const sources = spawnSync(process.execPath, ['scripts/native-source-hash.mjs'], { encoding: 'utf8' }).stdout;
    const binary = (createRequire(import.meta.url)(prebuilt) as { sourceHash: string; origin: string });
    assert.equal(binary.origin, 'prebuilt');
    assert.equal(binary.sourceHash, sources,
      'native/ or binding.gyp changed since the prebuilt binary was made: run `npm run native:prebuild` and commit prebuilds/');
  });

  it('is what an install without a C++ compiler uses, and the kernels it loads are native', async (t) => {
    const dir = await tmpDir(t);
    for (const part of ['package.json', 'binding.gyp', 'scripts', 'native', 'prebuilds', 'dist/src']) {
      cpSync(join(root, part), join(dir, part), { recursive: true });
    }
    const env = { PATH: compilerlessPath(dir), HOME: dir };
    for (const tool of ['g++', 'c++', 'cc', 'make']) {
      assert.notEqual(spawnSync(tool, ['--version'], { env }).status, 0, `${tool} is still reachable`);
    }
    const install = spawnSync(process.execPath, ['scripts/build-native.mjs'], { cwd: dir, env, encoding: 'utf8' });
    assert.equal(install.status, 0, install.stderr);
    assert.match(install.stdout, /using the prebuilt native kernel/);
    assert.equal(existsSync(join(dir, 'build', 'Release', 'obj.target')), false, 'something was compiled');
    const probe = "import('./dist/src/tensor/create-kernels.js').then((m) => console.log(JSON.stringify(m.kernelReport())))";
    const loaded = spawnSync(process.execPath, ['-e', probe], { cwd: dir, env, encoding: 'utf8' });
    assert.equal(loaded.status, 0, loaded.stderr);
    const report = JSON.parse(loaded.stdout) as { chosen: string; isa: string; native: { origin: string; supported: string[] } };
    assert.equal(report.chosen, 'native');
    assert.equal(report.native.origin, 'prebuilt');
    assert.equal(report.isa, report.native.supported[0], 'the fastest variant this CPU runs is the default');
    // Installing again puts a new file in place instead of writing over the old one, which a running charlm has mapped:
    // the old file keeps its bytes (a training copied over in place crashed with a segmentation fault).
    const addon = join(dir, 'build', 'Release', 'charlm_native.node');
    const before = statSync(addon).ino;
    const again = spawnSync(process.execPath, ['scripts/build-native.mjs'], { cwd: dir, env, encoding: 'utf8' });
    assert.equal(again.status, 0, again.stderr);
    assert.notEqual(statSync(addon).ino, before, 'the second install wrote over the installed binary in place');
    assert.deepEqual(readdirSync(join(dir, 'build', 'Release')).filter((f) => f.endsWith('.tmp')), [], 'a temporary file was left');
  });

  it('without it and without a compiler, the install still succeeds and charlm runs on WebAssembly', async (t) => {
    const dir = await tmpDir(t);
    for (const part of ['package.json', 'binding.gyp', 'scripts', 'native', 'dist/src']) {
      cpSync(join(root, part), join(dir, part), { recursive: true });
    }
    const env = { PATH: compilerlessPath(dir), HOME: dir };
    const install = spawnSync(process.execPath, ['scripts/build-native.mjs'], { cwd: dir, env, encoding: 'utf8' });
    assert.equal(install.status, 0, install.stderr);
    assert.match(install.stdout, /native kernel not built \(no prebuilt binary .*\); charlm will use its WebAssembly kernel/);
    const probe = "import('./dist/src/tensor/create-kernels.js').then((m) => console.log(m.kernelReport().chosen))";
    const loaded = spawnSync(process.execPath, ['-e', probe], { cwd: dir, env, encoding: 'utf8' });
    assert.equal(loaded.stdout.trim(), 'wasm');
  });
});
