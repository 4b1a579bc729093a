// `npx tsx demos/balancing spread <url> [-n N] [--by header:<name>]`: N requests to your own
// balancer, and how many each backend answered — grouped by the response body's first line
// (what the demo's backends print), or by a response header such as X-Served-By.

import { parseOptions, positiveInt, UsageError } from '../kit/args.ts';
import type { CliIO, Subcommand } from '../kit/cli.ts';
import { padTable } from '../kit/table.ts';
import { type Grouping, spread } from './spread.ts';

const MAX_REQUESTS = 100_000;
const DEFAULT_REQUESTS = 100;

const HELP = [
  'Usage: npx tsx demos/balancing spread <url> [-n N] [--by header:<name>]',
  '',
  'Sends N GET requests to <url> one after another, each on a new connection, and prints how',
  'many each backend answered.',
  `  -n, --requests N     how many requests (default ${DEFAULT_REQUESTS}, at most ${MAX_REQUESTS})`,
  "  --by header:<name>   name the backend by a response header (default: the body's first line)",
  'Exit status: 0 done, 2 bad usage or the balancer could not be reached.',
];

interface SpreadArgs {
  url: string;
  n: number;
  by: Grouping;
}

function parseSpreadArgs(argv: string[]): SpreadArgs | 'help' {
  // parseArgs takes "-n -3" for two options and calls it ambiguous; say what is wrong instead.
  const at = argv.findIndex((a) => a === '-n' || a === '--requests');
  const next = argv[at + 1];
  if (at >= 0 && next?.startsWith('-')) {
    throw new UsageError(`-n must be a positive integer, got "${next}"`);
  }
  const { values, positionals } = parseOptions(argv, {
    requests: { type: 'string', short: 'n' },
    by: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length
        ? `spread: one URL expected, got ${positionals.length} arguments`
        : 'spread: a URL is required, e.g. spread http://127.0.0.1:8080/',
    );
  }
  const url = positionals[0] as string;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // reported below
  }
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) {
    throw new UsageError(`spread: "${url}" is not an http:// or https:// URL`);
  }
  const n = positiveInt(values.requests, '-n', DEFAULT_REQUESTS);
  if (n > MAX_REQUESTS) throw new UsageError(`-n must be at most ${MAX_REQUESTS}, got ${n}`);
  let by: Grouping = { kind: 'body' };
  if (values.by !== undefined) {
    const m = /^header:([!#$%&'*+.^_`|~0-9A-Za-z-]+)$/.exec(values.by);
    if (!m) throw new UsageError(`--by must be header:<name>, got "${values.by}"`);
    by = { kind: 'header', name: m[1] as string };
  }
  return { url, n, by };
}

export const spreadCommand: Subcommand = {
  name: 'spread',
  usage: '<url> [-n N] [--by header:<name>]',
  summary: 'send N requests to a balancer and count the answers per backend',
  async run(argv: string[], io: CliIO): Promise<number> {
    const args = parseSpreadArgs(argv);
    if (args === 'help') {
      for (const l of HELP) io.out(l);
      return 0;
    }
    const { url, n, by } = args;
    let result: Awaited<ReturnType<typeof spread>>;
    try {
      result = await spread(url, n, by);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      io.err(`demos/balancing: spread: cannot reach ${url}: ${e.code ?? e.message}`);
      return 2;
    }
    const grouped = by.kind === 'body' ? "the body's first line" : `the ${by.name} header`;
    io.out(`${n} requests to ${url}, grouped by ${grouped}:`);
    const rows = [...result.counts].map(([backend, count]) => [
      backend || '(empty)',
      String(count),
      `${Math.round((100 * count) / n)} %`,
    ]);
    for (const [status, count] of result.failures)
      rows.push([`HTTP ${status}`, String(count), `${Math.round((100 * count) / n)} %`]);
    for (const l of padTable(['backend', 'requests', 'share'], rows)) io.out(`  ${l}`);
    return 0;
  },
};
