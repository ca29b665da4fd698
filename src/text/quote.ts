// Untrusted text (from a model file, a corpus, a flag) made safe to show: cut short and with control and invisible
// characters escaped, so a file can neither flood an error line nor drive the terminal (escape sequences that forge output
// or change the window title). Every message that repeats what a file says goes through here.

/** How many characters of untrusted text a message shows. */
export const QUOTE_MAX_CHARS = 60;

// Controls (C0, DEL, C1), invisible formatting (bidi overrides, zero-width), line and paragraph separators, lone
// surrogates and private use.
const UNSAFE = /^[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}]$/u;

function escapeCodePoint(ch: string, inQuotes: boolean): string {
  switch (ch) {
    case '\n': return '\\n';
    case '\r': return '\\r';
    case '\t': return '\\t';
    case '\\': return inQuotes ? '\\\\' : ch;
    case '"': return inQuotes ? '\\"' : ch;
  }
  if (!UNSAFE.test(ch)) return ch;
  const c = ch.codePointAt(0)!;
  return c < 0x10000 ? `\\u${c.toString(16).padStart(4, '0')}` : `\\u{${c.toString(16)}}`;
}

/** The first `maxChars` characters of `text`, escaped, and whether there was more. */
function escapeText(text: string, maxChars: number, inQuotes: boolean): { body: string; cut: boolean } {
  let body = '';
  let i = 0;
  for (let shown = 0; i < text.length && shown < maxChars; shown++) {
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    i += ch.length;
    body += escapeCodePoint(ch, inQuotes);
  }
  return { body, cut: i < text.length };
}

const lengthNote = (text: string): string => `… (${text.length.toLocaleString('en-US')} characters)`;

/** `text` in double quotes, cut after `maxChars` characters (saying how long it was) and escaped: "a\u001b[2J". */
export function quote(text: string, maxChars = QUOTE_MAX_CHARS): string {
  const { body, cut } = escapeText(text, maxChars, true);
  return cut ? `"${body}"${lengthNote(text)}` : `"${body}"`;
}

/** `text` without quotes, cut and escaped the same way: for a field shown on its own (a date, a corpus name). */
export function safeText(text: string, maxChars = QUOTE_MAX_CHARS): string {
  const { body, cut } = escapeText(text, maxChars, false);
  return cut ? body + lengthNote(text) : body;
}

/** Any JSON value as a short, safe description: strings quoted, long arrays and objects shown by their first items. */
export function describeValue(value: unknown, maxChars = QUOTE_MAX_CHARS, depth = 0): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return quote(value, maxChars);
  if (typeof value !== 'object' || value === null) return String(value);
  if (depth >= 2) return Array.isArray(value) ? '[…]' : '{…}';
  const shownItems = 4;
  if (Array.isArray(value)) {
    const items = value.slice(0, shownItems).map((v) => describeValue(v, 20, depth + 1));
    return `[${items.join(', ')}${value.length > shownItems ? `, … (${value.length} items)` : ''}]`;
  }
  const keys = Object.keys(value);
  const fields = keys.slice(0, shownItems)
    .map((k) => `${quote(k, 20)}: ${describeValue((value as Record<string, unknown>)[k], 20, depth + 1)}`);
  return `{${fields.join(', ')}${keys.length > shownItems ? `, … (${keys.length} fields)` : ''}}`;
}
