// The README's library example, run as written from a temporary folder outside the repository where charlm is
// "installed" (node_modules/charlm pointing at this checkout, as npm install PATH makes it).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './helpers/run-cli.js';
import { tmpDir } from './helpers/tmp.js';

function readmeExample(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## As a library'));
  const m = section.match(/```js\n([\s\S]*?)```/);
  assert.ok(m, 'the README has a js example under "As a library"');
  return m[1]!;
}

describe('the README library example', () => {
  it('runs as written from a fresh folder outside the repository, showing progress through the event callback', async (t) => {
    const dir = await tmpDir(t);
    assert.ok(!dir.startsWith(REPO_ROOT));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(REPO_ROOT, join(dir, 'node_modules', 'charlm'), 'dir');
    writeFileSync(join(dir, 'example.mjs'), readmeExample());
    const r = spawnSync(process.execPath, ['example.mjs'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.split('\n');
    const evals = lines.filter((l) => /^step \d+: validation loss \d+\.\d{3} nats\/char$/.test(l));
    assert.ok(evals.length >= 2, r.stdout);
    assert.match(r.stdout, /^best \d+\.\d{3} nats\/char after 200 steps at \d+ chars\/s$/m);
    const sample = lines[lines.indexOf(lines.find((l) => l.startsWith('best '))!) + 1];
    assert.ok(sample !== undefined && sample.length > 0, 'a sample follows');
    for (const f of ['shakespeare.json', 'shakespeare.latest.json', 'shakespeare.log.jsonl']) assert.ok(existsSync(join(dir, f)), f);
  });
});
