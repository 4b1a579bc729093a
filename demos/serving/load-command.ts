// `npx tsx demos/serving load <url> [-c C] [-n N | -d seconds]`: a small, bounded load generator
// for a service on loopback or one you own. It prints throughput, latency percentiles, status
// counts and the Little's-law check (X × W against C). It never runs unbounded.

import { parseOptions, positiveInt, UsageError } from '../kit/args.ts';
import type { CliIO, Subcommand } from '../kit/cli.ts';
import { type LoadResult, percentile, runLoad } from './load.ts';

const USAGE = '<url> [-c C] [-n N | -d seconds]';
const MAX_CONCURRENCY = 1000;
const MAX_REQUESTS = 1_000_000;
const MAX_SECONDS = 600;
const DEFAULT_REQUESTS = 200;
const HELP = [
  `Usage: npx tsx demos/serving load ${USAGE}`,
  '',
  'Sends GET requests to <url> from C workers (each sends its next request as soon as the last',
  'one answered, over keep-alive connections) until N requests are done or D seconds are up,',
  "then prints throughput X, latency percentiles, status counts, and X × W (Little's law: the",
  'mean number in flight, which should equal C). Only for loopback or a service you own.',
  '',
  `  -c, --concurrency C   workers (default 10, at most ${MAX_CONCURRENCY})`,
  `  -n, --requests N      stop after N requests (default ${DEFAULT_REQUESTS}, at most ${MAX_REQUESTS})`,
  `  -d, --duration S      stop after S seconds instead (at most ${MAX_SECONDS})`,
  '',
  'Example: npx tsx demos/serving load http://127.0.0.1:8000/health -c 20 -d 5',
  'Exit status: 0 it ran and something answered, 2 bad input or nothing answered.',
];

interface Parsed {
  url: URL;
  concurrency: number;
  requests?: number;
  seconds?: number;
}

function parse(argv: string[]): Parsed | undefined {
  const { values, positionals } = parseOptions(argv, {
    help: { type: 'boolean', short: 'h' },
    concurrency: { type: 'string', short: 'c' },
    requests: { type: 'string', short: 'n' },
    duration: { type: 'string', short: 'd' },
  });
  if (values.help) return undefined;
  if (positionals.length !== 1) {
    throw new UsageError(
      `load: give one URL, e.g. http://127.0.0.1:8000/; got ${positionals.length} arguments`,
    );
  }
  const raw = positionals[0] as string;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`load: "${raw}" is not a URL; expected http://host:port/path`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`load: "${raw}" is not an http:// or https:// URL`);
  }
  if (values.requests !== undefined && values.duration !== undefined) {
    throw new UsageError('load: give -n (requests) or -d (seconds), not both');
  }
  const concurrency = positiveInt(values.concurrency, '-c', 10);
  if (concurrency > MAX_CONCURRENCY) {
    throw new UsageError(`load: -c ${concurrency} is more than ${MAX_CONCURRENCY} workers`);
  }
  if (values.duration !== undefined) {
    const seconds = positiveInt(values.duration, '-d');
    if (seconds > MAX_SECONDS) {
      throw new UsageError(`load: -d ${seconds} runs longer than ${MAX_SECONDS} s; refusing`);
    }
    return { url, concurrency, seconds };
  }
  const requests = positiveInt(values.requests, '-n', DEFAULT_REQUESTS);
  if (requests > MAX_REQUESTS) {
    throw new UsageError(`load: -n ${requests} is more than ${MAX_REQUESTS} requests; refusing`);
  }
  return { url, concurrency, requests };
}

function counts(map: Map<string | number, number>): string {
  return [...map].map(([k, v]) => `${k} ×${v}`).join(', ');
}

function report(r: LoadResult, io: CliIO): void {
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const l = r.latencies;
  io.out(`requests answered: ${r.completed} in ${(r.elapsedMs / 1000).toFixed(2)} s`);
  io.out(`throughput X: ${r.throughput.toFixed(1)} req/s`);
  io.out(
    `latency: p50 ${ms(percentile(l, 50))}, p90 ${ms(percentile(l, 90))}, p99 ${ms(percentile(l, 99))}, max ${ms(l[l.length - 1] ?? Number.NaN)}, mean W ${ms(r.meanLatency * 1000)}`,
  );
  io.out(`statuses: ${counts(r.statuses) || 'none'}`);
  if (r.errors.size) io.out(`network errors: ${counts(r.errors)}`);
  io.out(
    `Little's law: X × W = ${r.inFlight.toFixed(2)} in flight on average, against C = ${r.concurrency} workers` +
      ` (${((r.inFlight / r.concurrency) * 100).toFixed(0)} %; short of 100 % only by the gaps between a worker's requests and the run's ramp-up and tail)`,
  );
}

export const loadCommand: Subcommand = {
  name: 'load',
  usage: USAGE,
  summary: "a bounded load run: throughput, latency percentiles, statuses, Little's law",
  async run(argv: string[], io: CliIO): Promise<number> {
    const plan = parse(argv);
    if (!plan) {
      for (const l of HELP) io.out(l);
      return 0;
    }
    const bound = plan.seconds !== undefined ? `${plan.seconds} s` : `${plan.requests} requests`;
    io.out(`GET ${plan.url.href} from ${plan.concurrency} workers, for ${bound}`);
    // One request first: a wrong address fails in a line, not after the whole bound of retries.
    const probe = await runLoad(plan.url.href, { concurrency: 1, requests: 1 });
    if (probe.completed === 0) {
      io.err(`demos/serving: load: nothing answered at ${plan.url.host}: ${counts(probe.errors)}`);
      return 2;
    }
    const result = await runLoad(plan.url.href, plan);
    if (result.completed === 0) {
      io.err(`demos/serving: load: nothing answered at ${plan.url.host}: ${counts(result.errors)}`);
      return 2;
    }
    report(result, io);
    return 0;
  },
};
