// `npx tsx demos/debugging triage [--json]`: the first-minute checklist on the machine it runs
// on. Read-only: it only reads /proc and runs df, ss, dmesg and systemctl --failed.

import { parseOptions, positiveInt, UsageError } from '../kit/args.ts';
import type { Subcommand } from '../kit/cli.ts';
import { findingLine, triage } from './triage.ts';

const USAGE = '[--sample <ms>] [--json]';

export const triageCommand: Subcommand = {
  name: 'triage',
  usage: USAGE,
  summary: 'the first-minute checklist on this machine, one line per finding (read-only)',
  run: async (argv, io) => {
    const { values, positionals } = parseOptions(argv, {
      help: { type: 'boolean', short: 'h' },
      json: { type: 'boolean' },
      sample: { type: 'string' },
      'no-color': { type: 'boolean' },
    });
    if (values.help) {
      io.out(`Usage: npx tsx demos/debugging triage ${USAGE}`);
      io.out('Load, pressure (PSI), the busiest processes, D-state tasks, memory, disk space and');
      io.out('inodes, kernel errors, listening ports and failed units: each in one line with the');
      io.out('command that shows more. Changes nothing. --sample: how long to measure CPU use');
      io.out('(default 1000 ms). --json: the findings as one JSON array.');
      return 0;
    }
    if (positionals.length)
      throw new UsageError(`triage takes no arguments, got "${positionals[0]}"`);
    const sampleMs = positiveInt(values.sample, '--sample', 1000);
    if (sampleMs > 60_000)
      throw new UsageError(`--sample must be at most 60000 ms, got ${sampleMs}`);
    const findings = await triage(sampleMs);
    if (values.json) {
      io.out(JSON.stringify(findings, null, 2));
      return 0;
    }
    for (const f of findings) {
      const [head, more] = findingLine(f).split('\n');
      const color = f.level === 'warn' ? 'red' : f.level === 'ok' ? 'green' : 'dim';
      io.out(`${io.style.paint(color, head?.slice(0, 4) ?? '')}${head?.slice(4) ?? ''}`);
      io.out(io.style.paint('dim', more ?? ''));
    }
    return 0;
  },
};
