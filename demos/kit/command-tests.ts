// For a subcommand's test file: run it in-process as a user would, and the checks every
// subcommand owes its users — each bad input is one line on stderr and exit 2, and --help prints
// its usage and exits 0.

import { expect, it } from 'vitest';
import { captureIO } from './capture.ts';
import { runCli, type Subcommand } from './cli.ts';
import type { Demo } from './define.ts';

export interface Ran {
  code: number;
  stdout: string[];
  stderr: string[];
}

/** `run(...argv)` runs `npx tsx demos/<topic> <command> …argv` in this process. */
export function commandRunner<Env>(demo: Demo<Env>, command: Subcommand) {
  return async (...argv: string[]): Promise<Ran> => {
    const io = captureIO();
    const code = await runCli(demo, [command.name, ...argv], [command], io);
    return { code, stdout: io.stdout, stderr: io.stderr };
  };
}

/** One test per bad input (one line matching its pattern, exit 2) and one for --help. */
export function usageTests(
  run: (...argv: string[]) => Promise<Ran>,
  badInputs: [string[], RegExp][],
  usage: RegExp,
): void {
  it.each(badInputs)('%j: one line, exit 2', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toHaveLength(1);
    expect(r.stderr[0]).toMatch(message);
  });

  it('--help: usage, exit 0', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.stdout[0]).toMatch(usage);
  });
}

/** The bad inputs of a subcommand that takes one PostgreSQL URL. */
export const ONE_POSTGRES_URL: [string[], RegExp][] = [
  [[], /give one PostgreSQL URL/],
  [['a', 'b'], /got 2 arguments/],
  [['junk'], /"junk" is not a URL/],
  [['http://x'], /not a postgres:\/\/ or postgresql:\/\/ URL/],
  [['--bogus'], /--bogus/],
  [
    ['postgres://postgres@127.0.0.1:1/postgres'],
    /cannot connect to 127\.0\.0\.1:1: .*ECONNREFUSED/,
  ],
];
