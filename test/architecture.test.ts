import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './helpers/run-cli.js';

// The library (src/ outside src/cli/) reports through return values, thrown CharlmErrors, events and AbortSignals.
// Only src/cli/ may touch the terminal, the process and terminal libraries.

const SRC = join(REPO_ROOT, 'src');
const CLI = join(SRC, 'cli');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (path !== CLI) out.push(...sourceFiles(path));
    } else if (name.endsWith('.ts')) {
      out.push(path);
    }
  }
  return out;
}

/** The code without comments, so a comment may mention console or process.env. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

const FORBIDDEN: [RegExp, string][] = [
  [/from\s+['"](commander|chalk|cli-progress)['"]|import\(\s*['"](commander|chalk|cli-progress)['"]\s*\)/, 'imports a terminal library'],
  [/\bprocess\.(exit|argv|stdout|stderr|env)\b/, 'touches the process'],
  [/\bconsole\s*\./, 'prints with console'],
];

describe('the library / CLI boundary', () => {
  const files = sourceFiles(SRC);

  it('finds the library sources to check', () => {
    assert.ok(files.some((f) => f.endsWith(join('text', 'vocab.ts'))), 'src/text/vocab.ts is scanned');
    assert.ok(!files.some((f) => f.startsWith(CLI)), 'src/cli/ is not scanned');
  });

  it('library code never imports commander, chalk or cli-progress, never exits, prints or reads argv/env', () => {
    const problems: string[] = [];
    for (const file of files) {
      const lines = withoutComments(readFileSync(file, 'utf8')).split('\n');
      lines.forEach((line, i) => {
        for (const [pattern, what] of FORBIDDEN) {
          if (pattern.test(line)) problems.push(`${relative(REPO_ROOT, file)}:${i + 1} ${what}: ${line.trim()}`);
        }
      });
    }
    assert.deepEqual(problems, []);
  });
});
