// The size of a file about to be read (a text, charlm's JSON model, a safetensors file), with the one-line errors every
// reader gives for a missing file, a directory or a permission problem, each in the reader's own error class.

import { stat } from 'node:fs/promises';
import type { CharlmError, ErrorDetails } from './errors.js';

/** What to say when the file is missing: the words after "PATH: no such …", and a hint. */
export interface Missing { readonly what: string; readonly hint?: string }

/** "PATH: no such file", "cannot read PATH: permission denied", or the system's message. */
export function readErrorMessage(path: string, err: unknown, missing = 'file'): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `${path}: no such ${missing}`;
  if (code === 'EACCES') return `cannot read ${path}: permission denied`;
  return `cannot read ${path}: ${(err as Error).message}`;
}

/** The reader's error class: CorpusError, ModelFileError. */
export type ReadErrorClass = new (message: string, details?: ErrorDetails) => CharlmError;

/** The file's size in bytes; an `error` when it is a directory (`kind` names what it should be) or cannot be read. */
export async function fileSize(path: string, kind: string, error: ReadErrorClass,
                               missing: Missing = { what: 'file' }): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    const hint = (err as NodeJS.ErrnoException).code === 'ENOENT' ? missing.hint : undefined;
    throw new error(readErrorMessage(path, err, missing.what), { hint });
  }
  if (info.isDirectory()) throw new error(`${path} is a directory, not a ${kind}`);
  return info.size;
}
