// A hash of the native kernel's sources (native/*.cc, native/*.h, binding.gyp). binding.gyp compiles it into the binary
// (CHARLM_SOURCE_HASH, exported as sourceHash), and scripts/build-native.mjs installs the prebuilt binary only when its
// hash matches the sources beside it, so a prebuilt that no longer matches the code is never used. Run directly, it prints
// the hash; with --origin, how the binary being compiled is meant ("prebuilt" under scripts/prebuild.mjs, else "source").
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function nativeSourceHash(root) {
  const hash = createHash('sha256');
  const files = readdirSync(join(root, 'native')).filter((f) => /\.(cc|h)$/.test(f)).sort().map((f) => join('native', f));
  for (const file of [...files, 'binding.gyp']) {
    // Line endings normalised, so that a checkout with CRLF line ends gives the same hash.
    hash.update(`${file}\n`).update(readFileSync(join(root, file), 'utf8').replace(/\r\n/g, '\n'));
  }
  return hash.digest('hex').slice(0, 16);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const origin = process.env.CHARLM_PREBUILD === '1' ? 'prebuilt' : 'source';
  process.stdout.write(process.argv[2] === '--origin' ? origin : nativeSourceHash(resolve(dirname(fileURLToPath(import.meta.url)), '..')));
}
