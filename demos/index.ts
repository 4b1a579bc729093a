// `npx tsx demos`: every demo, what it needs, and whether that is reachable right now; the
// versions of the parts on this machine. `npx tsx demos claims` runs the claims ledger.

import { parseOptions, UsageError } from './kit/args.ts';
import { claimsCommand } from './kit/claims-command.ts';
import type { CliIO } from './kit/cli.ts';
import { probeAll } from './kit/endpoints.ts';
import { endQuietlyOnClosedPipe, reportBug } from './kit/interrupt.ts';
import { labNames } from './kit/lab.ts';
import { progressOf } from './kit/lab-progress.ts';
import { loadDemos } from './kit/registry.ts';
import { machineStack } from './kit/stack-probe.ts';
import { colorWanted, makeStyle } from './kit/style.ts';
import { padTable } from './kit/table.ts';
import { stackLines } from './kit/transcript.ts';
import { viewCommand } from './kit/view/view-command.ts';

const HELP = [
  'Usage: npx tsx demos [--no-color]            the demos, what each needs, whether it is ready',
  '       npx tsx demos claims [topic…] [--json]  the claims ledger, each verdict checked live',
  '       npx tsx demos view [topic] [--port N]   the notes beside live runs, in a browser',
  '       npx tsx demos view --export <dir>       a static site of one recorded run',
  '',
  'Run one demo with `npx tsx demos/<topic>`; `npx tsx demos/<topic> --help` for its flags.',
];

async function listDemos(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOptions(argv, {
    help: { type: 'boolean', short: 'h' },
    'no-color': { type: 'boolean' },
  });
  if (positionals.length)
    throw new UsageError(
      `unknown subcommand "${positionals[0]}" (subcommands: claims, view); run a demo with npx tsx demos/<topic>`,
    );
  if (values.help) {
    for (const l of HELP) io.out(l);
    return 0;
  }
  const { paint } = io.style;
  const demos = await loadDemos();
  const needed = demos.flatMap((d) => [...d.needs, ...d.steps.flatMap((s) => s.needs)]);
  // Probes first: the stack's version commands spawn processes, which would hold up the probes'
  // event loop on a loaded machine.
  const statuses = await probeAll(needed);
  const stack = await machineStack();
  const status = new Map(statuses.map((s) => [s.name, s]));
  const rows = demos.map((d) => {
    const needs = [...new Set([...d.needs, ...d.steps.flatMap((s) => s.needs)])];
    const missing = needs.filter((n) => !status.get(n)?.ok);
    const ready = missing.length ? `missing ${missing.join(', ')}` : 'ready';
    const labs = labNames(d.id);
    const solved = labs.filter((l) => progressOf(d.id, l).solved).length;
    return [
      `demos/${d.id}`,
      d.title,
      needs.join(', ') || '—',
      ready,
      labs.length ? `${solved}/${labs.length}` : '—',
    ];
  });
  for (const line of padTable(['demo', 'title', 'needs', 'status', 'labs solved'], rows)) {
    io.out(
      line
        .replace(/missing [\w, ]+/, (m) => paint('yellow', m))
        .replace(/\bready\b/, (m) => paint('green', m)),
    );
  }
  io.out('');
  for (const l of stackLines(stack)) io.out(paint('dim', l));
  const missing = [...status.values()].filter((s) => !s.ok);
  if (missing.length) io.out('');
  for (const s of missing) io.out(`${s.name}: ${s.problem} — ${s.hint}`);
  return 0;
}

async function run(argv: string[]): Promise<number> {
  const io: CliIO = {
    style: makeStyle(colorWanted(process.stdout, argv.includes('--no-color'))),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
  try {
    if (argv[0] === 'claims') return await claimsCommand(argv.slice(1), io);
    if (argv[0] === 'view') return await viewCommand(argv.slice(1), io);
    return await listDemos(argv, io);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`demos: ${err.message}`);
    return 2;
  }
}

endQuietlyOnClosedPipe();
// Awaited, so whoever imports this entry (the bad-input test's one process) sees the run end.
process.exitCode = await run(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${reportBug('demos', err)}\n`);
  return 1;
});
