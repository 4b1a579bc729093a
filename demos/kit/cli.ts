// The command line every demo shares: `npx tsx demos/<topic> [flags]` or `… <subcommand> …`.
// Exit codes: 0 every claim holds, 1 a claim failed, 2 bad usage or a missing service.

import { parseOptions, UsageError } from './args.ts';
import type { Demo } from './define.ts';
import { describeMissing } from './endpoints.ts';
import { endQuietlyOnClosedPipe, onInterrupt, reportBug } from './interrupt.ts';
import { labNames } from './lab.ts';
import { readNote } from './notes.ts';
import { DemoSession, MissingServices, SetupFailed } from './run.ts';
import { colorWanted, makeStyle, type Style } from './style.ts';
import { fold, WIDTH } from './text.ts';
import { header, transcriptReporter } from './transcript.ts';

export interface CliIO {
  style: Style;
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface Subcommand {
  name: string;
  /** The arguments as the usage line shows them. */
  usage: string;
  summary: string;
  run: (argv: string[], io: CliIO) => Promise<number> | number;
}

const FLAGS = {
  help: { type: 'boolean', short: 'h' },
  list: { type: 'boolean' },
  step: { type: 'string', multiple: true },
  notes: { type: 'boolean' },
  json: { type: 'boolean' },
  'no-color': { type: 'boolean' },
} as const;

/**
 * The `lab` subcommand every demo with a labs/ folder gets. Its code (workspaces, checks, the
 * watcher) loads only when it runs: a plain `npx tsx demos/<topic>` starts without it.
 */
function labCommand(topic: string): Subcommand {
  return {
    name: 'lab',
    usage: '[<name>] [--check|--watch|--hint|--solution|--reset]',
    summary: 'practise: fix a broken file until the claims hold',
    run: async (argv, io) => (await import('./lab-command.ts')).labMain(topic, argv, io),
  };
}

/** Services only some steps need, named with the steps that need them. */
function stepNeeds<Env>(demo: Demo<Env>): string {
  const extra = new Map<string, string[]>();
  for (const s of demo.steps) {
    for (const n of s.needs.filter((n) => !demo.needs.includes(n))) {
      extra.set(n, [...(extra.get(n) ?? []), s.id]);
    }
  }
  return [...extra]
    .map(([n, ids]) => `; ${n} for step${ids.length > 1 ? 's' : ''} ${ids.join(', ')}`)
    .join('');
}

function usage<Env>(demo: Demo<Env>, subcommands: Subcommand[]): string[] {
  const lines = [
    `${demo.title}`,
    '',
    'Usage:',
    `  npx tsx demos/${demo.id} [--step <id>]… [--notes] [--json] [--no-color]`,
    `  npx tsx demos/${demo.id} --list | --help`,
    ...subcommands.map((s) => `  npx tsx demos/${demo.id} ${s.name} ${s.usage}`),
    '',
    'Options:',
    '  --step <id>   run only this step (repeatable); --list shows the ids',
    "  --notes       print the note's section before each step",
    '  --json        print one JSON object instead of the transcript',
    '  --no-color    plain output (also: NO_COLOR=1, or when stdout is not a terminal)',
    '  --list        list the steps and the note sections they show',
    '',
    `Needs: ${demo.needs.length ? demo.needs.join(', ') : 'nothing but Node'}${stepNeeds(demo)}`,
    'Exit status: 0 every claim holds, 1 a claim failed, 2 bad usage or a missing service.',
  ];
  if (subcommands.length) {
    lines.push('', 'Subcommands:', ...subcommands.map((s) => `  ${s.name.padEnd(12)}${s.summary}`));
  }
  return lines;
}

function stdio(noColor: boolean): CliIO {
  return {
    style: makeStyle(colorWanted(process.stdout, noColor)),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
}

/** Runs a demo's command line and returns its exit code. */
export async function runCli<Env>(
  demo: Demo<Env>,
  argv: string[],
  subcommands: Subcommand[] = [],
  io: CliIO = stdio(argv.includes('--no-color')),
): Promise<number> {
  // Every demo with a labs/ folder has the lab subcommand, from the kit.
  if (labNames(demo.id).length) subcommands = [...subcommands, labCommand(demo.id)];
  const sub = subcommands.find((s) => s.name === argv[0]);
  try {
    if (sub) return await sub.run(argv.slice(1), io);
    const { values, positionals } = parseOptions(argv, FLAGS);
    if (positionals.length) {
      const known = subcommands.map((s) => s.name).join(', ') || 'none';
      throw new UsageError(`unknown subcommand "${positionals[0]}" (subcommands: ${known})`);
    }
    if (values.help) {
      for (const l of usage(demo, subcommands)) io.out(l);
      return 0;
    }
    if (values.list) {
      for (const s of demo.steps) {
        io.out(`${s.id.padEnd(24)} ${s.title}`);
        const where = `notes/${demo.id}.md#${s.section} · ${s.source.split('/').pop()}`;
        for (const l of fold(where, WIDTH - 25)) io.out(`${''.padEnd(24)} ${l}`);
      }
      return 0;
    }
    const only = values.step ?? [];
    const unknown = only.filter((id) => !demo.steps.some((s) => s.id === id));
    if (unknown.length) {
      throw new UsageError(
        `unknown step "${unknown[0]}" (steps: ${demo.steps.map((s) => s.id).join(', ')})`,
      );
    }
    return await runTranscript(
      demo,
      only,
      { json: values.json === true, notes: values.notes === true },
      io,
    );
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`demos/${demo.id}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

async function runTranscript<Env>(
  demo: Demo<Env>,
  only: string[],
  mode: { json: boolean; notes: boolean },
  io: CliIO,
): Promise<number> {
  const { style, out } = io;
  const notes = mode.notes ? new Map((readNote(demo.id) ?? []).map((s) => [s.slug, s])) : undefined;
  const reporter = mode.json ? undefined : transcriptReporter(demo, { style, write: out, notes });
  const ci = process.env.CI === 'true';
  const session = new DemoSession(demo, { only, reporter, ci });
  if (!mode.json) header(demo, style, out);
  let result: Awaited<ReturnType<typeof session.runAll>>;
  const release = onInterrupt(() => session.interrupt(), io.err);
  try {
    result = await session.runAll();
  } catch (err) {
    if (err instanceof MissingServices) {
      if (mode.json)
        out(
          JSON.stringify({ demo: demo.id, ok: false, missing: err.statuses.map(describeMissing) }),
        );
      for (const s of err.statuses) io.err(`demos/${demo.id}: ${describeMissing(s)}`);
      return 2;
    }
    if (err instanceof SetupFailed) {
      io.err(`demos/${demo.id}: ${err.message}`);
      return 2;
    }
    throw err;
  } finally {
    release();
  }
  if (reporter) reporter.finish(result);
  else out(JSON.stringify(result, null, 2));
  if (result.failed) return 1;
  return result.skipped ? 2 : 0;
}

/** The entry point of demos/<topic>/index.ts. */
export async function main<Env>(demo: Demo<Env>, subcommands: Subcommand[] = []): Promise<void> {
  endQuietlyOnClosedPipe();
  try {
    process.exitCode = await runCli(demo, process.argv.slice(2), subcommands);
  } catch (err) {
    process.stderr.write(`${reportBug(`demos/${demo.id}`, err)}\n`);
    process.exitCode = 1;
  }
}
