// A closed-loop load generator: C workers, each sending its next request as soon as the last one
// answered, over keep-alive connections, until N requests are sent or D seconds are up (always
// one of the two: it never runs unbounded). It measures what Little's law relates: throughput X,
// mean latency W, and the mean number in flight L = X × W, which must equal C.

import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';

export interface LoadPlan {
  concurrency: number;
  /** Stop after this many requests… */
  requests?: number;
  /** …or after this many seconds. */
  seconds?: number;
}

export interface LoadResult {
  concurrency: number;
  completed: number;
  elapsedMs: number;
  /** Every answered request's latency in ms, sorted. */
  latencies: number[];
  /** Status code → count. */
  statuses: Map<number, number>;
  /** Network error code → count (ECONNREFUSED, ECONNRESET…). */
  errors: Map<string, number>;
  /** X, answered requests per second. */
  throughput: number;
  /** W, the mean latency in seconds. */
  meanLatency: number;
  /** L = X × W: the mean number of requests in flight. */
  inFlight: number;
}

/** The nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

function once(url: URL, agent: HttpAgent): Promise<number> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export async function runLoad(target: string, plan: LoadPlan): Promise<LoadResult> {
  if (plan.requests === undefined && plan.seconds === undefined) {
    throw new Error('runLoad: give a number of requests or a duration');
  }
  const url = new URL(target);
  const options = { keepAlive: true, maxSockets: plan.concurrency };
  const agent = url.protocol === 'https:' ? new HttpsAgent(options) : new HttpAgent(options);
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const errors = new Map<string, number>();
  const started = performance.now();
  const deadline = plan.seconds === undefined ? Infinity : started + plan.seconds * 1000;
  const limit = plan.requests ?? Infinity;
  let issued = 0;
  let lastEnd = started;
  const worker = async () => {
    while (issued < limit && performance.now() < deadline) {
      issued += 1;
      const t0 = performance.now();
      try {
        const status = await once(url, agent);
        lastEnd = performance.now();
        latencies.push(lastEnd - t0);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        errors.set(code, (errors.get(code) ?? 0) + 1);
        lastEnd = performance.now();
        // A refused connection answers at once: back off a little so it does not spin.
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, worker));
  agent.destroy();
  const elapsedMs = lastEnd - started;
  latencies.sort((a, b) => a - b);
  const completed = latencies.length;
  const throughput = completed / (elapsedMs / 1000);
  const meanLatency = completed ? latencies.reduce((a, b) => a + b, 0) / completed / 1000 : 0;
  return {
    concurrency: plan.concurrency,
    completed,
    elapsedMs,
    latencies,
    statuses,
    errors,
    throughput,
    meanLatency,
    inFlight: throughput * meanLatency,
  };
}
