// How `charlm inspect` draws a text with one value per character: coloured backgrounds on a colour terminal, or (NO_COLOR,
// pipes) the text with a row of value glyphs under each line; and the legend with the scale. Layout only, no model.

import type { ChalkInstance } from 'chalk';
import { colourAt, positionOnScale, type Scale } from '../../inspect/colour-scale.js';

export interface ViewOptions {
  /** Columns a line may take. */
  readonly width: number;
  /** Paints backgrounds when given; null draws glyph rows instead. */
  readonly color: ChalkInstance | null;
}

/** Eight heights, low to high: the plain rendering's value glyphs. */
const GLYPHS = '▁▂▃▄▅▆▇█';

/** How a symbol is drawn in one cell of the grid: null for line mode's start symbol, which takes no place. */
function displayOf(symbol: string): string | null {
  if (symbol === '') return null;
  if (symbol === '\n') return '↵';
  if (symbol === '\t') return '→';
  if (/^[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]$/u.test(symbol)) return '·';
  if (/^\p{M}$/u.test(symbol)) return `◌${symbol}`;
  return symbol;
}

/** Terminal columns of a displayed symbol: 2 for East Asian wide characters and most emoji. */
export function columnsOf(text: string): number {
  const c = text.codePointAt(0) ?? 0;
  const wide = (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3)
    || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60)
    || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) || (c >= 0x1f900 && c <= 0x1f9ff)
    || (c >= 0x20000 && c <= 0x3fffd);
  return wide ? 2 : 1;
}

function glyphAt(t: number): string {
  return Number.isFinite(t) ? GLYPHS[Math.min(GLYPHS.length - 1, Math.floor(t * GLYPHS.length))] : ' ';
}

function paint(color: ChalkInstance, text: string, t: number, scale: Scale): string {
  const [r, g, b] = colourAt(t, scale.diverging);
  const dark = 0.299 * r + 0.587 * g + 0.114 * b < 140;
  const ink = dark ? 255 : 0;
  return color.bgRgb(r, g, b).rgb(ink, ink, ink)(text);
}

/** Positions [from, to) of the text drawn as lines that fit opts.width; each line ends with "\n". */
export function renderValues(symbols: readonly string[], values: ArrayLike<number>, scale: Scale,
                             range: { from: number; to: number }, opts: ViewOptions): string {
  const width = Math.max(8, opts.width);
  let out = '';
  let text = '';
  let glyphs = '';
  let column = 0;
  const flush = (): void => {
    out += text + '\n' + (opts.color === null ? glyphs.trimEnd() + '\n' : '');
    text = glyphs = '';
    column = 0;
  };
  for (let n = range.from; n < range.to; n++) {
    const shown = displayOf(symbols[n]);
    if (shown === null) continue;
    const cols = columnsOf(shown);
    if (column + cols > width) flush();
    const t = positionOnScale(values[n], scale);
    text += opts.color === null ? shown : paint(opts.color, shown, t, scale);
    glyphs += glyphAt(t) + ' '.repeat(cols - 1);
    column += cols;
    if (symbols[n] === '\n') flush();
  }
  if (column > 0) flush();
  return out;
}

const fmt = (x: number): string => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2));

/** One line: the scale from min to max as colours or glyphs, with its numbers and what it shows. */
export function renderLegend(label: string, scale: Scale, opts: ViewOptions): string {
  const steps = 16;
  let bar = '';
  for (let i = 0; i < steps; i++) {
    const t = (i + 0.5) / steps;
    bar += opts.color === null ? glyphAt(t) : paint(opts.color, ' ', t, scale);
  }
  const middle = scale.diverging ? ` (middle ${fmt((scale.min + scale.max) / 2)})` : '';
  return `${fmt(scale.min)} ${bar} ${fmt(scale.max)}${middle}  ${label}\n`;
}
