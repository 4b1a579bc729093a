// Steps 7 and 8: is it slow, and how much can it serve? The run's Prometheus scrapes both apps;
// the step asks its HTTP API for rate() and a histogram_quantile p99 before and after slow
// requests, and for `up` once a target is stopped. Then Little's law, L = X × W, measured on the
// FastAPI app at two concurrency levels.

import { step } from '../kit/define.ts';
import { waitFor } from '../kit/wait.ts';
import { burst, fetchOnce } from './client.ts';
import type { Env } from './env.ts';
import { runLoad } from './load.ts';
import type { Prometheus } from './prometheus.ts';

/** The value of a query that returns one series, or undefined while it returns none. */
async function scalar(prom: Prometheus, expr: string): Promise<number | undefined> {
  const samples = await prom.query(expr);
  return samples.length === 1 ? samples[0]?.value : undefined;
}

/** Waits until Prometheus has scraped the counter at exactly `count`. */
function scraped(prom: Prometheus, expr: string, count: number): Promise<number> {
  return waitFor(
    `Prometheus to scrape ${expr} = ${count}`,
    async () => ((await scalar(prom, expr)) === count ? count : undefined),
    { timeoutMs: 15_000, intervalMs: 200 },
  );
}

const SLOW_MS = 2600;
const COUNT = 'sum(http_requests_total{job="fastapi",route="/work"})';
const RATE = 'sum(rate(http_requests_total{job="fastapi",route="/work"}[1m]))';
const P99 =
  'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job="fastapi",route="/work"}[1m])))';

export const metricsStep = step<Env>(
  {
    id: 'metrics',
    section: 'metrics-that-answer-is-it-slow',
    title: 'Prometheus scrapes both apps: rate(), a p99 that rises, up == 0 when a target stops',
    needs: ['prometheus'],
  },
  async (t, env) => {
    const prom = env.prom as Prometheus;
    t.waiting('both targets to be scraped (Prometheus 2.42 waits about 5 s before the first)');
    for (const job of ['fastapi', 'node']) {
      await waitFor(`up{job="${job}"} == 1`, async () =>
        (await scalar(prom, `up{job="${job}"}`)) === 1 ? true : undefined,
      );
    }
    t.say('both targets are up');
    // One request first, scraped, so the series exists before the measured ones: rate() counts
    // only what increases between two samples of a series.
    await fetchOnce(`${env.api.url}/work?ms=1`);
    await scraped(prom, COUNT, 1);
    // The fast ones one after another (a burst would queue them in the one process); the slow
    // ones take 2.6 s, a bucket (2.5–5 s) no 5 ms request reaches even on a loaded machine.
    for (let i = 0; i < 40; i++) await fetchOnce(`${env.api.url}/work?ms=5`);
    t.equal(
      'the counter Prometheus scraped is exactly the requests sent',
      await scraped(prom, COUNT, 41),
      41,
    );
    const rate = (await scalar(prom, RATE)) ?? Number.NaN;
    const before = (await scalar(prom, P99)) ?? Number.NaN;
    await burst(`${env.api.url}/work?ms=${SLOW_MS}`, 20);
    await scraped(prom, COUNT, 61);
    const after = (await scalar(prom, P99)) ?? Number.NaN;
    t.table(
      ['query', 'value'],
      [
        [RATE, `${rate.toFixed(3)} req/s`],
        ['p99 after 40 requests of 5 ms', `${before.toFixed(4)} s`],
        [`p99 after 20 more of ${SLOW_MS} ms`, `${after.toFixed(4)} s`],
      ],
    );
    t.block([`p99 query: ${P99}`]);
    t.check(
      'rate() of the request counter is above zero while requests come in',
      rate > 0,
      `${rate}`,
    );
    t.check(
      'the p99 rose once slow requests came in',
      after > before,
      `before ${before}, after ${after}`,
    );
    t.check(
      `a third of the requests took ${SLOW_MS / 1000} s, so the p99 is at least 2.5 s (it falls in the 2.5–5 s bucket)`,
      after >= 2.5,
      `${after}`,
    );

    await env.node.server.stop();
    t.waiting('Prometheus to notice the stopped Node app');
    // Wait for the first scrape that no longer says 1; the claim is what that scrape says.
    const up = await waitFor(
      'a scrape of the stopped Node app',
      async () => {
        const v = await scalar(prom, 'up{job="node"}');
        return v === 1 ? undefined : v;
      },
      { timeoutMs: 10_000 },
    );
    t.equal('with the Node app stopped, its next scrape sets up{job="node"} to 0', up, 0);
    const left = await prom.query('http_requests_total{job="node"}');
    t.equal(
      "its series vanish from instant queries at once (the failed scrape's staleness markers)",
      left.length,
      0,
    );
  },
);

/** One load run and what Little's law says of it. */
async function measureLoad(url: string, concurrency: number) {
  return runLoad(url, { concurrency, requests: 30 * concurrency });
}

export const littlesLawStep = step<Env>(
  {
    id: 'littles-law',
    section: 'the-arithmetic-littles-law',
    title: "Little's law: requests/s = requests in flight ÷ latency, measured",
  },
  async (t, env) => {
    const url = `${env.api.url}/async-await?ms=20`;
    t.waiting('150 requests at concurrency 5, then 600 at concurrency 20 (keep-alive)');
    const runs = [await measureLoad(url, 5), await measureLoad(url, 20)];
    t.table(
      ['concurrency C', 'requests', 'X req/s', 'W mean latency', 'X × W', 'C ÷ 20 ms'],
      runs.map((r) => [
        r.concurrency,
        r.completed,
        r.throughput.toFixed(0),
        `${(r.meanLatency * 1000).toFixed(1)} ms`,
        r.inFlight.toFixed(2),
        (r.concurrency / 0.02).toFixed(0),
      ]),
    );
    for (const r of runs) {
      t.check(
        `at concurrency ${r.concurrency}, X × W equals the concurrency within 10 %`,
        Math.abs(r.inFlight - r.concurrency) <= 0.1 * r.concurrency,
        `X × W = ${r.inFlight.toFixed(3)}`,
      );
    }
    for (const r of runs) {
      t.check(
        `at concurrency ${r.concurrency}, the measured latency exceeds the handler's 20 ms, so X stays under C ÷ 20 ms`,
        r.meanLatency > 0.02 && r.throughput < r.concurrency / 0.02,
        `W ${r.meanLatency}, X ${r.throughput}`,
      );
    }
    const empty = await runLoad(`${env.api.url}/health`, { concurrency: 50, requests: 1000 });
    t.show(
      'one uvicorn worker, an empty handler, 50 connections',
      `${empty.throughput.toFixed(0)} req/s, mean latency ${(empty.meanLatency * 1000).toFixed(1)} ms`,
    );
    t.check(
      "one worker serving an empty handler stays below seed 002's 8,300 req/s per worker (100K ÷ 12)",
      empty.throughput < 100_000 / 12,
      `${empty.throughput.toFixed(0)} req/s`,
    );
  },
);
