// The size of a file about to be read as a model (charlm's JSON or a safetensors file), with the one-line errors both
// readers give for a directory, a missing file or a permission problem.

import { stat } from 'node:fs/promises';
import { ModelFileError } from '../errors.js';

/** What to say when the file is missing: the words after "PATH: no such …", and a hint. */
export interface Missing { readonly what: string; readonly hint?: string }

/** "PATH: no such file", "cannot read PATH: permission denied", or the system's message. */
export function readErrorMessage(path: string, err: unknown, missing = 'file'): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `${path}: no such ${missing}`;
  if (code === 'EACCES') return `cannot read ${path}: permission denied`;
  return `cannot read ${path}: ${(err as Error).message}`;
}

/** The file's size in bytes; a ModelFileError when it is a directory (`kind` names what it should be) or cannot be read. */
export async function fileSize(path: string, kind: string, missing: Missing = { what: 'file' }): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    const hint = (err as NodeJS.ErrnoException).code === 'ENOENT' ? missing.hint : undefined;
    throw new ModelFileError(readErrorMessage(path, err, missing.what), { hint });
  }
  if (info.isDirectory()) throw new ModelFileError(`${path} is a directory, not a ${kind}`);
  return info.size;
}
