import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CommanderError, InvalidArgumentError } from 'commander';
import { exitCodeFor, ExitCode } from '../../src/cli/exit-codes.js';
import { CorpusError, InterruptedError } from '../../src/errors.js';
import { linesOf, REPO_ROOT, runCli } from '../helpers/run-cli.js';
import { withTmpDir } from '../helpers/tmp.js';

describe('exitCodeFor', () => {
  it('maps usage errors to 2, library errors to 1, interrupts to 130 and help to 0', () => {
    assert.equal(exitCodeFor(new InvalidArgumentError('bad')), ExitCode.usage);
    assert.equal(exitCodeFor(new CommanderError(1, 'commander.unknownOption', 'x')), ExitCode.usage);
    assert.equal(exitCodeFor(new CommanderError(0, 'commander.helpDisplayed', 'x')), ExitCode.ok);
    assert.equal(exitCodeFor(new CorpusError('x')), ExitCode.failure);
    assert.equal(exitCodeFor(new InterruptedError('x')), ExitCode.interrupted);
    assert.equal(exitCodeFor(new TypeError('x')), ExitCode.failure);
  });
});

describe('charlm exit codes', () => {
  it('--version prints the package version and exits 0', async () => {
    const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await runCli(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), pkg.version);
    assert.equal(r.stderr, '');
  });

  it('--help lists the commands with examples and exits 0', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: charlm/);
    assert.match(r.stdout, /vocab/);
    assert.match(r.stdout, /Examples:/);
  });

  for (const command of ['vocab', 'info']) {
    it(`${command} --help shows an example and exits 0`, async () => {
      const r = await runCli([command, '--help']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`\\$ charlm ${command} `));
    });
  }

  it('an unknown flag is one stderr line and exit 2', async () => {
    const r = await runCli(['vocab', '--bogus', 'x.txt']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.deepEqual(linesOf(r.stderr), ["charlm: unknown option '--bogus' (see charlm vocab --help)"]);
  });

  it('a missing argument is one stderr line and exit 2', async () => {
    const r = await runCli(['generate']);
    assert.equal(r.code, 2);
    assert.deepEqual(linesOf(r.stderr), ["charlm: missing required argument 'model' (see charlm generate --help)"]);
  });

  it('a bad flag value (InvalidArgumentError) is one stderr line and exit 2', async () => {
    const r = await runCli(['vocab', 'x.txt', '--sort', 'size']);
    assert.equal(r.code, 2);
    assert.equal(linesOf(r.stderr).length, 1);
    assert.match(r.stderr, /^charlm: option '--sort <order>' argument 'size' is invalid\. "size" is not one of code, count\./);
  });

  it('no command at all shows the help on stderr and exits 2', async () => {
    const r = await runCli([]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^Usage: charlm /);
  });

  it('an unknown command is exit 2 with a suggestion', async () => {
    const r = await runCli(['vocb', 'x.txt']);
    assert.equal(r.code, 2);
    assert.deepEqual(linesOf(r.stderr), ["charlm: unknown command 'vocb' (did you mean vocab?) (see charlm --help)"]);
  });

  it('a missing file is exit 1 with the message and no stack trace', async () => {
    const r = await runCli(['vocab', 'no-such-file.txt']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.deepEqual(linesOf(r.stderr), ['charlm: no-such-file.txt: no such file']);
  });

  it('prints the stack trace with --debug or CHARLM_DEBUG=1', async () => {
    for (const r of [await runCli(['--debug', 'vocab', 'no-such-file.txt']), await runCli(['vocab', 'no-such-file.txt'], { env: { CHARLM_DEBUG: '1' } })]) {
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^charlm: no-such-file\.txt: no such file\n/);
      assert.match(r.stderr, /\n {4}at /);
    }
  });

  it('a hint goes on the same single line, in brackets', () =>
    withTmpDir(async (dir) => {
      const path = join(dir, 'bad.txt');
      await import('node:fs/promises').then((fs) => fs.writeFile(path, Buffer.from([0x61, 0xfe])));
      const r = await runCli(['vocab', path]);
      assert.equal(r.code, 1);
      const lines = linesOf(r.stderr);
      assert.equal(lines.length, 1);
      assert.ok(lines[0]!.startsWith(`charlm: ${path} is not valid UTF-8 text: invalid byte 0xfe at byte offset 1 (line 1) (hint: `), lines[0]);
      assert.match(lines[0]!, /\)$/);
    }));
});
