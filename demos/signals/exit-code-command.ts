// `npx tsx demos/signals exit-code <n>`: what an exit status means.

import { parseOptions, UsageError } from '../kit/args.ts';
import type { Subcommand } from '../kit/cli.ts';
import { describeStatus } from './exit-status.ts';

const USAGE = '<n>';

export const exitCodeCommand: Subcommand = {
  name: 'exit-code',
  usage: USAGE,
  summary: 'what an exit status means: 128 + N and its signal, 126/127, wrapping past 255',
  run: (argv, io) => {
    // A negative status ("-1") would read as an option: take it as the number it is.
    const negative = argv.filter((a) => /^-\d+$/.test(a));
    const parsed = parseOptions(
      argv.filter((a) => !negative.includes(a)),
      { help: { type: 'boolean', short: 'h' } },
    );
    const values = parsed.values;
    const positionals = [...negative, ...parsed.positionals];
    if (values.help) {
      io.out(`Usage: npx tsx demos/signals exit-code ${USAGE}`);
      io.out(
        'Explains an exit status as a shell ($?), docker or Kubernetes ("Exit Code") reports it.',
      );
      return 0;
    }
    const [text, ...rest] = positionals;
    if (text === undefined) throw new UsageError('exit-code needs a status, e.g. exit-code 137');
    if (rest.length) throw new UsageError(`exit-code takes one status, got ${positionals.length}`);
    if (!/^-?\d{1,12}$/.test(text)) {
      throw new UsageError(`exit-code: "${text}" is not an integer (expected e.g. 0, 137, 143)`);
    }
    const n = Number(text);
    const m = describeStatus(n);
    if (m.wrapped) io.out(`${n} is outside 0-255: a parent sees ${n} mod 256 = ${m.status}`);
    io.out(`${m.status}: ${m.meaning}`);
    if (m.signal === 'SIGKILL') {
      io.out(
        '  SIGKILL from anyone: the OOM killer, a supervisor after its grace period, kill -9.',
      );
      io.out('  Only "Reason: OOMKilled" (kubectl describe pod) names the OOM killer.');
    }
    if (m.signal === 'SIGTERM') io.out('  TERM arrived and the process had no handler for it.');
    return 0;
  },
};
