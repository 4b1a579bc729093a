// Command-line parsing for demos and their subcommands: node:util's parseArgs, with every
// mistake turned into one UsageError line (exit 2).

import { type ParseArgsConfig, parseArgs } from 'node:util';

export class UsageError extends Error {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseOptions<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    // parseArgs explains itself in a sentence plus advice; the sentence is the useful part.
    const message =
      (err as Error).message.split('\n')[0]?.replace(/\. To specify.*$/, '') ?? String(err);
    throw new UsageError(message);
  }
}

/** A positive integer option, or a UsageError naming the flag. */
export function positiveInt(value: string | undefined, flag: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`${flag} is required`);
    return fallback;
  }
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new UsageError(`${flag} must be a positive integer, got "${value}"`);
  }
  return Number(value);
}
