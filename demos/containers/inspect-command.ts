// `npx tsx demos/containers inspect <pid>`: a process's namespaces (its own, or shared with PID 1),
// its PID inside its PID namespace, and its cgroups with their limits and OOM counters.

import { parseOptions, UsageError } from '../kit/args.ts';
import type { Subcommand } from '../kit/cli.ts';
import { inspect } from './inspect.ts';

const USAGE = '<pid>';

export const inspectCommand: Subcommand = {
  name: 'inspect',
  usage: USAGE,
  summary:
    "a process's namespaces (own or shared with PID 1), its cgroups, limits and OOM counters",
  run: (argv, io) => {
    const { values, positionals } = parseOptions(argv, { help: { type: 'boolean', short: 'h' } });
    if (values.help) {
      io.out(`Usage: npx tsx demos/containers inspect ${USAGE}`);
      io.out(
        'Reads /proc/<pid>/ns, /proc/<pid>/status and /proc/<pid>/cgroup, and the cgroup files.',
      );
      return 0;
    }
    const [text, ...rest] = positionals;
    if (text === undefined) throw new UsageError('inspect needs a pid, e.g. inspect 1234');
    if (rest.length) throw new UsageError(`inspect takes one pid, got ${positionals.length}`);
    if (!/^\d{1,10}$/.test(text) || Number(text) < 1)
      throw new UsageError(`inspect: "${text}" is not a pid (a positive integer)`);
    const r = inspect(Number(text));
    const inner = r.nsPids.at(-1);
    const nested = r.nsPids.length > 1 ? `, PID ${inner} inside its PID namespace` : '';
    io.out(`${r.pid} (${r.name})${nested}; NSpid ${r.nsPids.join(' ')}`);
    const own = r.namespaces.filter((n) => !n.shared);
    io.out(`namespaces, compared with ${r.reference}: ${own.length} of its own`);
    for (const n of r.namespaces)
      io.out(`  ${n.type.padEnd(7)} ${n.shared ? 'shared' : 'own   '}  ${n.inode}`);
    io.out('cgroups:');
    for (const c of r.cgroups) {
      io.out(`  ${c.controllers.padEnd(12)} ${c.path}`);
      for (const f of c.facts) io.out(`    ${f}`);
    }
    return 0;
  },
};
