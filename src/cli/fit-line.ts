// Lines that fit the terminal: a line is a list of fields, and a few layouts from richest to plainest say which fields
// (and which of their forms) to show. The first layout that fits the width wins, so a field is dropped or shown in a
// shorter form, never cut in the middle of a value.

/** Field texts by name; a name absent or undefined is skipped by every layout. */
export type Fields = Readonly<Record<string, string | undefined>>;

const SEPARATOR = '  ';

/** Display width of plain text (no escape sequences); every character we draw is one column wide. */
export function columnsOf(text: string): number {
  return [...text].length;
}

/**
 * The richest layout whose fields fit in `width` columns. When even the plainest does not fit, its fields are kept from
 * the left while they fit (at least the first one, which is then the only thing that may run over a tiny terminal).
 */
export function fitLine(fields: Fields, layouts: readonly (readonly string[])[], width: number): string {
  const render = (layout: readonly string[]): string[] =>
    layout.map((name) => fields[name]).filter((text): text is string => text !== undefined && text !== '');
  for (const layout of layouts) {
    const line = render(layout).join(SEPARATOR);
    if (columnsOf(line) <= width) return line;
  }
  const parts = render(layouts[layouts.length - 1] ?? []);
  let line = parts[0] ?? '';
  for (const part of parts.slice(1)) {
    if (columnsOf(line + SEPARATOR + part) > width) break;
    line += SEPARATOR + part;
  }
  return line;
}

/** Text broken at spaces into lines of at most `width` columns (a word longer than that gets a line of its own). */
export function wrapWords(text: string, width: number): string[] {
  if (columnsOf(text) <= width) return [text];
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && columnsOf(line + ' ' + word) > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : line + ' ' + word;
    }
  }
  lines.push(line);
  return lines;
}
