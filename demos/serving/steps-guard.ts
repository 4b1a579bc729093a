// Steps 5 and 6: what protects a service from too much work. A token bucket in front of the app
// answers 429 with Retry-After once the burst is spent; a circuit breaker stops calling a
// dependency that keeps timing out, and tries it again after a cool-down.

import { createServer } from 'node:http';
import { step } from '../kit/define.ts';
import { closeServer, listen } from '../kit/net.ts';
import { expectedFor } from '../kit/versions.ts';
import { waitFor } from '../kit/wait.ts';
import { fetchOnce, getJson } from './client.ts';
import type { Env } from './env.ts';
import { asyncBreakerFact } from './versions.ts';

export const rateLimitStep = step<Env>(
  {
    id: 'rate-limit',
    section: 'rate-limiting-429-and-retry-after',
    title: 'A token bucket answers 429 with Retry-After once the burst is spent',
  },
  async (t, env) => {
    const client = `demo-${process.pid}-${Date.now()}`;
    const replies = [];
    for (let i = 0; i < 8; i++) {
      replies.push(await fetchOnce(`${env.api.url}/limited`, { 'x-client': client }));
    }
    t.table(
      ['request', 'status', 'Retry-After'],
      replies.map((r, i) => [i + 1, r.status, r.headers['retry-after'] ?? '']),
    );
    t.equal(
      'a bucket of 5 tokens (one back every 12 s): 8 quick requests get 200 ×5, then 429 ×3',
      replies.map((r) => r.status),
      [200, 200, 200, 200, 200, 429, 429, 429],
    );
    const waits = replies
      .filter((r) => r.status === 429)
      .map((r) => String(r.headers['retry-after']));
    t.check(
      'each 429 carries Retry-After in delay-seconds (RFC 9110 §10.2.3), at most the 12 s refill',
      waits.every((w) => /^\d+$/.test(w) && Number(w) >= 1 && Number(w) <= 12),
      `Retry-After values: ${waits.join(', ')}`,
    );
  },
);

/** A dependency the app calls: it hangs (never answers) until told to recover. */
async function startDependency() {
  let healthy = false;
  let received = 0;
  const server = createServer((_req, res) => {
    received += 1;
    if (healthy) res.end('ok');
    // Otherwise: say nothing, so the caller waits for its own timeout.
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/`,
    received: () => received,
    recover: () => {
      healthy = true;
    },
    close: () => closeServer(server),
  };
}

interface Call {
  before: string;
  after: string;
  outcome: string;
  failures: number;
}

export const breakerStep = step<Env>(
  {
    id: 'breaker',
    section: 'a-circuit-breaker-fails-fast',
    title: 'A circuit breaker opens after K failures, fails fast, and closes after a good try',
  },
  async (t, env) => {
    const dep = await startDependency();
    t.defer(dep.close);
    const dependency = encodeURIComponent(dep.url);

    const plainStart = performance.now();
    const plain = [];
    for (let i = 0; i < 5; i++) {
      plain.push(JSON.parse((await fetchOnce(`${env.api.url}/dep/plain?url=${dependency}`)).body));
    }
    const plainMs = performance.now() - plainStart;
    t.show(
      'without a breaker',
      `5 calls: ${plain.map((p) => p.outcome).join(', ')} (${Math.round(plainMs)} ms)`,
    );
    t.equal(
      'without a breaker, every call reaches the hung dependency and waits for the timeout',
      dep.received(),
      5,
    );

    const name = `b${process.pid}${Date.now()}`;
    const call = async () =>
      JSON.parse(
        (await fetchOnce(`${env.api.url}/dep/breaker?url=${dependency}&name=${name}`)).body,
      ) as Call;
    const before = dep.received();
    const calls: Call[] = [];
    for (let i = 0; i < 6; i++) calls.push(await call());
    const reached = dep.received() - before;
    t.waiting('the 2 s cool-down (polling the breaker state)');
    const halfOpen = await waitFor(
      'the breaker to half-open',
      async () => {
        const s = await getJson<{ state: string }>(`${env.api.url}/dep/state?name=${name}`);
        return s.state === 'half_open' ? s.state : undefined;
      },
      { timeoutMs: 10_000 },
    );
    dep.recover();
    const trial = await call();
    calls.push(trial);
    t.table(
      ['call', 'state before', 'outcome', 'failures', 'state after'],
      calls.map((c, i) => [i + 1, c.before, c.outcome, c.failures, c.after]),
    );
    t.equal(
      'with a breaker (threshold 3) only 3 of 6 calls reached the hung dependency',
      reached,
      3,
    );
    t.equal(
      'calls 4 to 6 failed fast with CircuitBreakerError, without calling it',
      calls.slice(3, 6).map((c) => c.outcome),
      ['CircuitBreakerError', 'CircuitBreakerError', 'CircuitBreakerError'],
    );
    const sequence = [...calls.slice(0, 6).map((c) => c.after), halfOpen, trial.after].filter(
      (s, i, all) => i === 0 || s !== all[i - 1],
    );
    t.equal(
      'the state sequence: closed → open (3rd failure) → half_open (after 2 s) → closed (a success)',
      sequence,
      ['closed', 'open', 'half_open', 'closed'],
    );

    const boom = await fetchOnce(`${env.api.url}/boom`);
    const next = await fetchOnce(`${env.api.url}/health`);
    t.show(
      'an unhandled exception in one handler, then the next request',
      `${boom.status}, then ${next.status}`,
    );
    t.equal(
      'an unhandled exception answers that one request with 500; the worker serves the next',
      [boom.status, next.status],
      [500, 200],
    );

    const version = env.versions.circuitbreaker ?? 'unknown';
    const seed = await getJson<{ ran: number; state: string; failures: number; errors: string[] }>(
      `${env.api.url}/dep/seed`,
    );
    t.show(
      `seed 002's @circuit(failure_threshold=5) on async def, 8 failing calls (circuitbreaker ${version})`,
      `body ran ${seed.ran}×, errors ${[...new Set(seed.errors)].join('/')}, state ${seed.state}, failure_count ${seed.failures}`,
    );
    const expected = expectedFor(asyncBreakerFact, version);
    t.equal(
      `with circuitbreaker ${expected.when}, the seed's @circuit on an async def, after 8 failures, is still: ${expected.value}`,
      `${seed.state}, failure_count ${seed.failures}`,
      expected.value,
    );
  },
);
