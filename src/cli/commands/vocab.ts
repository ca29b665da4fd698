// `charlm vocab FILE`: the characters a model trained on FILE would know, each with its id and count.

import { Command } from 'commander';
import { readCorpus } from '../../text/corpus.js';
import { codePointLabel, countSymbols, escapeChar, Vocab } from '../../text/vocab.js';
import { choiceOf } from '../flags.js';
import { writeData, writeJson } from '../output.js';

interface VocabFlags {
  lineMode?: boolean;
  json?: boolean;
  sort: 'code' | 'count';
  keepCr?: boolean;
}

export interface VocabSymbolRow {
  id: number;
  char: string;
  codePoint: number;
  count: number;
}

export interface VocabReport {
  file: string;
  /** Vocabulary size: distinct characters, plus the reserved start and end symbols in line mode. */
  size: number;
  /** Characters in the text (code points; line breaks excluded in line mode). */
  chars: number;
  lineMode: boolean;
  /** Non-empty lines (line mode), each framed by the start and end symbols. */
  lines: number | null;
  /** CRLF line endings read as LF (0 with --keep-cr). */
  crlfReplaced: number;
  symbols: VocabSymbolRow[];
}

export function vocabReport(file: string, text: string, lineMode: boolean, sort: 'code' | 'count', crlfReplaced = 0): VocabReport {
  const counts = countSymbols(text, { lineMode });
  const vocab = Vocab.fromCounts(counts, lineMode);
  const symbols: VocabSymbolRow[] = [...counts.counts].map(([codePoint, count]) => {
    const char = String.fromCodePoint(codePoint);
    return { id: vocab.idOf(char)!, char, codePoint, count };
  });
  if (sort === 'count') symbols.sort((a, b) => b.count - a.count || a.codePoint - b.codePoint);
  return { file, size: vocab.size, chars: counts.total, lineMode, lines: lineMode ? counts.lines : null, crlfReplaced, symbols };
}

const fmt = (n: number): string => n.toLocaleString('en-US');

function renderReport(r: VocabReport): string {
  const lines: string[] = [];
  const reserved = r.lineMode ? ' (2 reserved: <start> = 0, <end> = 1)' : '';
  lines.push(`${r.file}: ${fmt(r.size)} symbols${reserved}, ${fmt(r.chars)} characters` +
    (r.lines === null ? '' : ` in ${fmt(r.lines)} lines`));
  if (r.crlfReplaced > 0) lines.push(`${fmt(r.crlfReplaced)} CRLF line endings read as LF (--keep-cr keeps the \\r)`);
  const countWidth = Math.max(5, ...r.symbols.map((s) => fmt(s.count).length));
  const idWidth = Math.max(2, String(r.size - 1).length);
  // The character goes last: CJK and emoji are two columns wide, so padding after them would not line up.
  lines.push(`${'id'.padStart(idWidth)}  code      ${'count'.padStart(countWidth)}    share  char`);
  for (const s of r.symbols) {
    const share = `${(r.chars > 0 ? (100 * s.count) / r.chars : 0).toFixed(2).padStart(6)}%`;
    lines.push(`${String(s.id).padStart(idWidth)}  ${codePointLabel(s.codePoint).padEnd(8)}  ${fmt(s.count).padStart(countWidth)}  ` +
      `${share}  ${escapeChar(s.char)}`);
  }
  return lines.join('\n') + '\n';
}

export function registerVocabCommand(program: Command): void {
  program
    .command('vocab')
    .description('list the characters of a text file: the vocabulary a model trained on it would have')
    .argument('<file>', "a UTF-8 text file, or '-' for standard input")
    .option('--line-mode', 'treat each line as one item (line breaks are not symbols; adds <start> and <end>)')
    .option('--sort <order>', 'order of the list: code (by code point, the id order) or count', choiceOf(['code', 'count'] as const), 'code')
    .option('--keep-cr', 'keep carriage returns (by default CRLF line endings are read as LF)')
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText('after', `
Examples:
  $ charlm vocab corpora/tinyshakespeare.txt
  $ charlm vocab corpora/words.txt --line-mode --sort count
  $ cat notes.txt | charlm vocab - --json

Invisible characters are shown escaped: \\n, \\t, \\u200b; a space is shown as ␠.`)
    .action(async (file: string, flags: VocabFlags) => {
      const corpus = await readCorpus(file, process.stdin, { keepCr: flags.keepCr === true });
      const report = vocabReport(file === '-' ? 'stdin' : file, corpus.text, flags.lineMode === true, flags.sort, corpus.crlfReplaced);
      if (flags.json === true) writeJson(report);
      else writeData(renderReport(report));
    });
}
