// Step 1: who runs a handler. FastAPI sends a plain `def` endpoint to AnyIO's thread pool, runs an
// `async def` on the event loop; a blocking call there holds the loop. Node runs every handler on
// its one thread. The claims come from the servers' own records of each request's start and end.

import type { StepContext } from '../kit/define.ts';
import { step } from '../kit/define.ts';
import { burst, getJson, type Handled, peakInFlight, spanMs, threadCount } from './client.ts';
import type { Env } from './env.ts';

interface Case {
  label: string;
  path: string;
  n: number;
  ms: number;
}

interface Measured {
  peak: number;
  threads: number;
  span: number;
  n: number;
}

let batch = 0;

/** Sends `n` requests at once to `path` and reads back what the server recorded of them. */
async function measure(base: string, c: Case): Promise<Measured> {
  batch += 1;
  const tag = `${c.path.slice(1)}-${process.pid}-${batch}`;
  const replies = await burst(`${base}${c.path}?ms=${c.ms}&tag=${tag}`, c.n);
  const failed = replies.filter((r) => r.status !== 200);
  if (failed.length) throw new Error(`${c.path}: ${failed.length} answers were not 200`);
  const handled = await getJson<Handled[]>(`${base}/trace?tag=${tag}`);
  return {
    peak: peakInFlight(handled),
    threads: threadCount(handled),
    span: spanMs(handled),
    n: handled.length,
  };
}

function tabulate(t: StepContext, cases: Case[], results: Measured[]): void {
  t.table(
    ['handler', 'requests at once', 'each blocks', 'peak in flight', 'threads', 'server span'],
    cases.map((c, i) => {
      const r = results[i] as Measured;
      return [c.label, c.n, `${c.ms} ms`, r.peak, r.threads, `${Math.round(r.span)} ms`];
    }),
  );
}

const DEF: Case = { label: '`def` + time.sleep', path: '/def-sleep', n: 50, ms: 1000 };
const BLOCK: Case = { label: '`async def` + time.sleep', path: '/async-block', n: 10, ms: 100 };
const AWAIT: Case = { label: '`async def` + await', path: '/async-await', n: 50, ms: 1000 };

export const fastapiLoopStep = step<Env>(
  {
    id: 'fastapi-loop',
    section: 'fastapi-def-runs-in-a-thread-pool-async-def-on-the-loop',
    title: 'FastAPI: `def` runs in a thread pool, `async def` on the event loop',
  },
  async (t, env) => {
    if (env.swept.dirs || env.swept.processes) {
      t.say(
        `swept what dead runs left: ${env.swept.dirs} folders, ${env.swept.processes} processes`,
      );
    }
    const pool = await getJson<{ total_tokens: number; threads: number }>(`${env.api.url}/pool`);
    t.show("AnyIO's default thread limiter", `${pool.total_tokens} tokens`);
    t.waiting('50 + 10 + 50 requests, each on its own connection');
    const cases = [DEF, BLOCK, AWAIT];
    const results: Measured[] = [];
    for (const c of cases) results.push(await measure(env.api.url, c));
    tabulate(t, cases, results);
    const [def, block, wait] = results as [Measured, Measured, Measured];
    t.equal(
      "AnyIO's default thread limiter (FastAPI's pool for `def` endpoints) holds 40 tokens",
      pool.total_tokens,
      40,
    );
    t.equal(
      "a plain `def` endpoint is not one request at a time: 40 of 50 ran at once, the pool's size",
      def.peak,
      pool.total_tokens,
    );
    t.equal('the `def` requests ran on 40 threads', def.threads, pool.total_tokens);
    t.equal(
      '`async def` calling time.sleep serves one request at a time: peak in flight 1',
      block.peak,
      1,
    );
    t.check(
      `so 10 × 100 ms took at least 1000 ms on the server (${Math.round(block.span)} ms)`,
      block.span >= BLOCK.n * BLOCK.ms,
    );
    t.equal('`async def` awaiting asyncio.sleep: all 50 in flight at once', wait.peak, AWAIT.n);
    t.equal("…on one thread, the event loop's", wait.threads, 1);
  },
);

const BUSY: Case = { label: 'Node: busy-wait', path: '/busy', n: 10, ms: 100 };
const TIMER: Case = { label: 'Node: await a timer', path: '/timer', n: 50, ms: 1000 };

export const nodeLoopStep = step<Env>(
  {
    id: 'node-loop',
    section: 'node-one-thread-runs-every-handler',
    title: 'Node: one thread runs every handler; a busy-wait stops them all',
  },
  async (t, env) => {
    t.waiting('10 + 50 requests to the Node app');
    const cases = [BUSY, TIMER];
    const results: Measured[] = [];
    for (const c of cases) results.push(await measure(env.node.url, c));
    tabulate(t, cases, results);
    const [busy, timer] = results as [Measured, Measured];
    t.equal('a synchronous busy-wait serves one request at a time: peak in flight 1', busy.peak, 1);
    t.check(
      `so 10 × 100 ms of busy-wait took at least 1000 ms (${Math.round(busy.span)} ms)`,
      busy.span >= BUSY.n * BUSY.ms,
    );
    t.equal('handlers that await a timer: all 50 in flight at once', timer.peak, TIMER.n);
  },
);
