// `npx tsx demos/dns why <host[:port]>`: why can (or can't) this machine reach host:port? It uses
// this machine's own resolver and network: the user's choice, and the only place the demo's
// code talks to a resolver it did not start.

import { parseOptions, positiveInt, UsageError } from '../kit/args.ts';
import type { Subcommand } from '../kit/cli.ts';
import { wrap } from '../kit/text.ts';
import { parseTarget, why } from './why.ts';

const USAGE = '<host[:port]> [--timeout <seconds>] [--no-color]';

export const whyCommand: Subcommand = {
  name: 'why',
  usage: USAGE,
  summary: 'resolve, connect (and TLS on 443) to host:port; say what each stage did and why',
  run: async (argv, io) => {
    const { values, positionals } = parseOptions(argv, {
      help: { type: 'boolean', short: 'h' },
      timeout: { type: 'string' },
      // The kit reads it (and NO_COLOR, and whether stdout is a terminal) when it makes io.style.
      'no-color': { type: 'boolean' },
    });
    if (values.help) {
      io.out(`Usage: npx tsx demos/dns why ${USAGE}`);
      io.out(
        'Resolves the name with getaddrinfo and with DNS alone, connects to the first address,',
      );
      io.out('and on port 443 completes a TLS handshake; one line per stage, errors decoded.');
      io.out('The port defaults to 443; --timeout bounds each stage (default 10 s).');
      return 0;
    }
    if (positionals.length !== 1) {
      throw new UsageError(`why takes one host[:port], got ${positionals.length}`);
    }
    const target = parseTarget(positionals[0] as string);
    const seconds = positiveInt(values.timeout, '--timeout', 10);
    const stages = await why(target, seconds * 1000);
    for (const s of stages) {
      const mark = s.ok ? io.style.paint('green', 'ok  ') : io.style.paint('red', 'FAIL');
      const [first = '', ...rest] = wrap(s.line, 100 - 10);
      io.out(`${s.stage.padEnd(5)}${mark} ${first}`);
      for (const line of rest) io.out(`${' '.repeat(10)}${line}`);
    }
    return stages.every((s) => s.ok) ? 0 : 1;
  },
};
