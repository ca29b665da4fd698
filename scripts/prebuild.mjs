// Rebuilds the prebuilt native binary shipped in the package, prebuilds/<platform>-<arch>/charlm_native.node, from the
// sources in native/: `npm run native:prebuild` after any change to native/ or binding.gyp (the test suite fails while the
// committed binary's sourceHash differs from the sources). The binary is portable (binding.gyp: every instruction-set
// variant, the C++ runtime linked statically) and stripped of symbols to stay small. Needs g++, make and python3.
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { installBinary, prebuiltPath } from './build-native.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'build', 'Release', 'charlm_native.node');

function run(command, args, env = process.env) {
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`prebuild: ${command} ${args.join(' ')} failed`);
    process.exit(1);
  }
}

run(process.execPath, [join(root, 'scripts', 'build-native.mjs')],
  { ...process.env, CHARLM_PREBUILD: '1', CHARLM_NATIVE_FROM_SOURCE: '1' });
mkdirSync(dirname(prebuiltPath), { recursive: true });
copyFileSync(built, prebuiltPath);
run('strip', ['--strip-unneeded', prebuiltPath]);
// The build tree now holds the prebuilt binary too, as `npm install` would have installed it.
installBinary(prebuiltPath, built);
console.log(`prebuild: wrote ${prebuiltPath.slice(root.length + 1)} (${statSync(prebuiltPath).size} bytes)`);
