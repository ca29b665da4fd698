// A terminal of a given width for display tests: it interprets what a progress view writes (carriage return, line feed,
// cursor column, erase in line, save/restore cursor, colours ignored) into screen lines, and records any character
// written past the right edge.

import { Writable } from 'node:stream';

export class FakeTerminal extends Writable {
  readonly isTTY = true;
  readonly lines: string[][] = [[]];
  /** Characters that landed at or beyond the last column + 1: a line too wide for this terminal. */
  overflow = 0;
  private row = 0;
  private col = 0;
  private saved: [number, number] = [0, 0];

  constructor(readonly columns: number) {
    super();
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.feed(String(chunk));
    done();
  }

  /** The screen as text, trailing spaces removed. */
  screen(): string[] {
    return this.lines.map((l) => l.join('').trimEnd());
  }

  private feed(text: string): void {
    const chars = [...text];
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (c === '\x1b') {
        i = this.escape(chars, i);
      } else if (c === '\r') {
        this.col = 0;
      } else if (c === '\n') {
        this.row++;
        this.col = 0;
        while (this.lines.length <= this.row) this.lines.push([]);
      } else {
        if (this.col >= this.columns) this.overflow++;
        const line = this.lines[this.row]!;
        while (line.length < this.col) line.push(' ');
        line[this.col] = c;
        this.col++;
      }
    }
  }

  /** Interprets the escape sequence starting at chars[i]; returns the index of its last character. */
  private escape(chars: string[], i: number): number {
    const next = chars[i + 1];
    if (next === '7') { this.saved = [this.row, this.col]; return i + 1; }
    if (next === '8') { [this.row, this.col] = this.saved; return i + 1; }
    if (next !== '[') return i + 1;
    let j = i + 2;
    let params = '';
    while (j < chars.length && /[0-9;?]/.test(chars[j]!)) params += chars[j++];
    const final = chars[j];
    const n = Number.parseInt(params.replace('?', ''), 10);
    const line = this.lines[this.row]!;
    if (final === 'G') this.col = (Number.isNaN(n) ? 1 : n) - 1;
    if (final === 'K') {
      const mode = Number.isNaN(n) ? 0 : n;
      if (mode === 0) line.length = Math.min(line.length, this.col);
      if (mode === 2) line.length = 0;
      if (mode === 1) for (let k = 0; k <= this.col && k < line.length; k++) line[k] = ' ';
    }
    return j;
  }
}
