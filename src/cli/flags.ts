// Flag value parsers for commander: each checks one value and throws InvalidArgumentError (exit 2) before any work starts.

import { InvalidArgumentError } from 'commander';

function parseNumber(raw: string): number {
  const s = raw.trim();
  // Number('') is 0 and Number('0x10') is 16: accept only plain decimal notation.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) throw new InvalidArgumentError(`"${raw}" is not a number.`);
  const n = Number(s);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`"${raw}" is not a finite number.`);
  return n;
}

export function positiveInt(raw: string): number {
  const n = parseNumber(raw);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${raw}" is not a positive integer.`);
  if (n > Number.MAX_SAFE_INTEGER) throw new InvalidArgumentError(`"${raw}" is too large.`);
  return n;
}

export function nonNegativeInt(raw: string): number {
  const n = parseNumber(raw);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`"${raw}" is not a non-negative integer.`);
  if (n > Number.MAX_SAFE_INTEGER) throw new InvalidArgumentError(`"${raw}" is too large.`);
  return n;
}

export function positiveNumber(raw: string): number {
  const n = parseNumber(raw);
  if (!(n > 0)) throw new InvalidArgumentError(`"${raw}" must be greater than 0.`);
  return n;
}

export function nonNegativeNumber(raw: string): number {
  const n = parseNumber(raw);
  if (n < 0) throw new InvalidArgumentError(`"${raw}" must not be negative.`);
  return n;
}

/** A number in [0, 1] (top-p, validation fraction ...). */
export function probability(raw: string): number {
  const n = parseNumber(raw);
  if (n < 0 || n > 1) throw new InvalidArgumentError(`"${raw}" must be between 0 and 1.`);
  return n;
}

/** A number in [0, 1): dropout. */
export function dropoutRate(raw: string): number {
  const n = parseNumber(raw);
  if (n < 0 || n >= 1) throw new InvalidArgumentError(`"${raw}" must be at least 0 and below 1.`);
  return n;
}

/** Any finite number (an initial bias). */
export function finiteNumber(raw: string): number {
  return parseNumber(raw);
}

/** Any integer, for seeds. */
export function integer(raw: string): number {
  const n = parseNumber(raw);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`"${raw}" is not an integer.`);
  return n;
}

/** A parser that accepts one of a closed set of words. */
export function choiceOf<T extends string>(choices: readonly T[]): (raw: string) => T {
  return (raw: string): T => {
    if ((choices as readonly string[]).includes(raw)) return raw as T;
    throw new InvalidArgumentError(`"${raw}" is not one of ${choices.join(', ')}.`);
  };
}
