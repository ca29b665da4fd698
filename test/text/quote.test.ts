import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeValue, quote, safeText } from '../../src/text/quote.js';

describe('quoting untrusted text', () => {
  it('escapes control characters, terminal escape sequences, bidi overrides and lone surrogates', () => {
    assert.equal(quote('a\u001b[2Jb'), '"a\\u001b[2Jb"');
    assert.equal(quote('title\u001b]0;pwned\u0007'), '"title\\u001b]0;pwned\\u0007"');
    assert.equal(quote('x\u202ey'), '"x\\u202ey"');
    assert.equal(quote('\ud800'), '"\\ud800"');
    assert.equal(quote('line\nnext\t"q"\\'), '"line\\nnext\\t\\"q\\"\\\\"');
    assert.equal(quote('\u009b31m'), '"\\u009b31m"', 'C1 control (CSI)');
    assert.equal(quote('é 中文 😀'), '"é 中文 😀"', 'ordinary text is left alone');
  });

  it('cuts long text and says how long it was', () => {
    const long = 'a'.repeat(100_000_000);
    const q = quote(long, 10);
    assert.equal(q, '"aaaaaaaaaa"… (100,000,000 characters)');
    assert.equal(safeText('abc\u001bdef', 4), 'abc\\u001b… (7 characters)');
  });

  it('describes JSON values briefly, however large', () => {
    assert.equal(describeValue([1, 2, 3]), '[1, 2, 3]');
    assert.equal(describeValue(new Array(1_000_000).fill(7)), '[7, 7, 7, 7, … (1000000 items)]');
    assert.equal(describeValue(undefined), 'nothing');
    assert.equal(describeValue({ a: 'x\u001b', b: [[[[1]]]] }), '{"a": "x\\u001b", "b": [[…]]}');
    assert.ok(describeValue('z'.repeat(10_000_000)).length < 100);
  });
});
