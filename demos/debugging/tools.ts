// Reading what the tools print: their lines, and their versions for the stack line.

import { runCommand } from '../kit/sandbox.ts';

/** The output's lines, without empty ones. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

/** The version in `command --version` (or `args`), for the stack line. */
export async function toolVersion(command: string, args = ['--version']): Promise<string> {
  // tshark loads every dissector first: seconds on a busy machine, so the default 30 s bound.
  const r = await runCommand(command, args);
  const first = lines(`${r.stdout}\n${r.stderr}`).find((l) => /\d+\.\d+/.test(l)) ?? '';
  return /\d+\.\d+(?:\.\d+)?/.exec(first)?.[0] ?? 'unknown';
}
