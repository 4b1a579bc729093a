// `npx tsx demos/signals stop-test [--after <s> | --ready <regex|url>] [--grace <s>] -- <command…>`:
// a graceful-shutdown check for your own service, as a supervisor stops it.

import { parseOptions, UsageError } from '../kit/args.ts';
import type { CliIO, Subcommand } from '../kit/cli.ts';
import { runName } from '../kit/names.ts';
import { statusOf } from './exit-status.ts';
import { Processes } from './harness.ts';
import { handledTerm, type StopTestReport, stopTest } from './stop-test.ts';
import { describeExit } from './targets.ts';

const USAGE = '[--after <s> | --ready <regex|url>] [--grace <s>] -- <command…>';
const DEFAULT_AFTER = 1;
/** docker stop's default; Kubernetes gives 30 s (terminationGracePeriodSeconds). */
const DEFAULT_GRACE = 10;

function seconds(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) > 3600) {
    throw new UsageError(`${flag} must be a number of seconds from 0 to 3600, got "${value}"`);
  }
  return Number(value);
}

function checkReady(value: string | undefined): string | undefined {
  if (value === undefined || /^https?:\/\//.test(value)) return value;
  try {
    new RegExp(value);
  } catch {
    throw new UsageError(`--ready must be a regular expression or an http(s) URL, got "${value}"`);
  }
  return value;
}

function help(io: CliIO): number {
  for (const line of [
    `Usage: npx tsx demos/signals stop-test ${USAGE}`,
    'Starts the command, sends TERM once it is ready, waits --grace seconds, then KILLs it.',
    `  --after <s>     send TERM after this many seconds (default ${DEFAULT_AFTER})`,
    '  --ready <x>     send TERM once the output matches regex x, or once URL x answers',
    `  --grace <s>     seconds between TERM and KILL (default ${DEFAULT_GRACE}, docker stop's)`,
    'Exit status: 0 it stopped by itself within the grace period, 1 it had to be killed (or',
    'exited before TERM), 2 bad usage.',
  ]) {
    io.out(line);
  }
  return 0;
}

function report(r: StopTestReport, grace: number, io: CliIO): number {
  io.out(`started pid ${r.pid}; ready: ${r.ready}`);
  if (r.early) {
    io.out(`it exited before TERM was sent: ${describeExit(r.early)}`);
    for (const l of r.output.trim().split('\n').slice(-3)) if (l) io.out(`  | ${l}`);
    return 1;
  }
  const status = r.exit.signal ? statusOf(r.exit.signal) : r.exit.code;
  if (r.killed) {
    io.out(`TERM sent; still running after the ${grace} s grace period: KILL sent`);
    io.out(`exit: ${describeExit(r.exit)} (status ${status}): no TERM handler that exits in time`);
  } else {
    io.out(`TERM sent; exited after ${r.exitMs} ms: ${describeExit(r.exit)} (status ${status})`);
    io.out(
      handledTerm(r)
        ? 'it handled TERM: it exited by itself with a status of its own'
        : 'no TERM handler: the default action ended it (fine, unless it had work to finish)',
    );
  }
  if (r.leftovers) io.out(`${r.leftovers} process(es) of its group outlived it: killed`);
  return r.killed ? 1 : 0;
}

export const stopTestCommand: Subcommand = {
  name: 'stop-test',
  usage: USAGE,
  summary: 'start a command, TERM it once ready, KILL after --grace: does it stop gracefully?',
  run: async (argv, io) => {
    const { values, positionals } = parseOptions(argv, {
      help: { type: 'boolean', short: 'h' },
      after: { type: 'string' },
      ready: { type: 'string' },
      grace: { type: 'string' },
    });
    if (values.help) return help(io);
    if (values.after !== undefined && values.ready !== undefined) {
      throw new UsageError('stop-test takes --after or --ready, not both');
    }
    if (!positionals.length)
      throw new UsageError('stop-test needs a command after --, e.g. stop-test -- node app.js');
    const options = {
      command: positionals,
      after: seconds(values.after, '--after', DEFAULT_AFTER),
      ready: checkReady(values.ready),
      grace: seconds(values.grace, '--grace', DEFAULT_GRACE),
    };
    const procs = new Processes(runName('signals'));
    try {
      return report(await stopTest(procs, options), options.grace, io);
    } catch (err) {
      throw new UsageError(`stop-test: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      await procs.killAll();
    }
  },
};
