// Step 4: cache-aside with the run's own Redis. Hits and misses are Redis's own counters
// (INFO stats), the backend's calls are the app's own count. Then a stampede: N requests on an
// expired hot key each go to the backend, unless a lock or coalescing lets one through.

import { step } from '../kit/define.ts';
import { waitFor } from '../kit/wait.ts';
import { burst, fetchOnce, getJson } from './client.ts';
import type { Env } from './env.ts';
import { redisCli, redisStats } from './servers.ts';

/** A round's tag: the app counts backend calls and cache misses per round. */
function roundTag(name: string): string {
  return `${name}-${process.pid}-${Date.now().toString(36)}`;
}

async function dbCalls(env: Env, round: string): Promise<number> {
  return (await getJson<{ calls: number }>(`${env.api.url}/db-calls?round=${round}`)).calls;
}

/** Resolves once Redis no longer has `key` (its TTL ran out). */
function expired(env: Env, key: string): Promise<true> {
  return waitFor(
    `${key} to expire`,
    async () => ((await redisCli(env.redis.port, 'EXISTS', key)) === '0' ? true : undefined),
    { timeoutMs: 10_000, intervalMs: 50 },
  );
}

export const cacheAsideStep = step<Env>(
  {
    id: 'cache-aside',
    section: 'cache-aside-with-redis-hits-misses-and-ttl',
    title: 'Cache-aside with Redis: one miss fills the cache, the TTL empties it',
  },
  async (t, env) => {
    const round = roundTag('aside');
    const id = 1000 + (process.pid % 1000);
    const key = `product:${id}`;
    await redisCli(env.redis.port, 'CONFIG', 'RESETSTAT');
    const firstSent = Date.now();
    for (let i = 0; i < 10; i++) {
      const r = await fetchOnce(`${env.api.url}/product/${id}?round=${round}&ttl=300`);
      if (r.status !== 200) throw new Error(`GET /product/${id}: ${r.status}`);
    }
    const stats = await redisStats(env.redis.port);
    const calls = await dbCalls(env, round);
    t.table(
      ['10 reads of one product', 'value'],
      [
        ['backend calls (the app counts them)', calls],
        ['keyspace_hits (Redis INFO stats)', stats.keyspace_hits],
        ['keyspace_misses', stats.keyspace_misses],
      ],
    );
    t.equal('10 reads of one key: the backend is called once', calls, 1);
    t.equal(
      'Redis counted 9 hits and 1 miss',
      [stats.keyspace_hits, stats.keyspace_misses],
      [9, 1],
    );
    // Read after the counts: TTL and PTTL are themselves counted as hits.
    const pttl = Number(await redisCli(env.redis.port, 'PTTL', key));
    const since = Date.now() - firstSent;
    t.show(`PTTL ${key}`, `${pttl} ms (set with SETEX ${key} 300 …, ${since} ms ago)`);
    t.check(
      'SETEX 300 gave the key 300 s to live, less the time since it was set',
      pttl <= 300_000 && pttl >= 300_000 - since,
      `PTTL ${pttl}, set at most ${since} ms ago`,
    );

    const shortRound = roundTag('ttl');
    const shortKey = `product:${id + 1}`;
    await fetchOnce(`${env.api.url}/product/${id + 1}?round=${shortRound}&ttl=1`);
    t.waiting(`${shortKey}'s 1 s TTL to run out`);
    await expired(env, shortKey);
    await fetchOnce(`${env.api.url}/product/${id + 1}?round=${shortRound}&ttl=1`);
    t.equal(
      'once the TTL has run out, the next read misses and calls the backend again',
      await dbCalls(env, shortRound),
      2,
    );
  },
);

const N = 20;
const MODES = ['plain', 'lock', 'coalesce'] as const;
const FIX: Record<(typeof MODES)[number], string> = {
  plain: 'none: plain cache-aside',
  lock: 'SET lock NX PX 2000; losers poll',
  coalesce: 'one future per key in the process',
};

export const stampedeStep = step<Env>(
  {
    id: 'stampede',
    section: 'a-stampede-when-a-hot-key-expires',
    title: 'A stampede: N requests on an expired hot key make N backend calls',
  },
  async (t, env) => {
    const base = 2000 + (process.pid % 1000) * 3;
    const keys = MODES.map((_, i) => base + i);
    // Each hot key is cached with a 1 s TTL, then left to expire: the moment a stampede starts.
    await Promise.all(
      keys.map((id) => fetchOnce(`${env.api.url}/product/${id}?round=${roundTag('warm')}&ttl=1`)),
    );
    t.waiting('three hot keys to expire (1 s TTL)');
    await Promise.all(keys.map((id) => expired(env, `product:${id}`)));
    const rows: unknown[][] = [];
    const calls: Record<string, number> = {};
    for (const [i, mode] of MODES.entries()) {
      const round = roundTag(mode);
      await redisCli(env.redis.port, 'CONFIG', 'RESETSTAT');
      // expect=N: the fake backend answers only once all N have missed the cache, so no reply
      // can fill it early and hide the stampede (the order is fixed, not left to timing).
      const url = `${env.api.url}/product/${keys[i]}?mode=${mode}&round=${round}&expect=${N}&ttl=300`;
      const replies = await burst(url, N);
      const ok = replies.filter((r) => r.status === 200).length;
      const stats = await redisStats(env.redis.port);
      calls[mode] = await dbCalls(env, round);
      rows.push([FIX[mode], N, ok, calls[mode], stats.keyspace_misses]);
      t.equal(`${mode}: all ${N} requests got the product`, ok, N);
    }
    t.table(['fix', 'requests', 'answered 200', 'backend calls', 'Redis misses'], rows);
    t.equal(
      `without a fix, ${N} requests on an expired key make ${N} backend calls`,
      calls.plain,
      N,
    );
    t.equal('with a Redis lock (SET NX PX), one backend call', calls.lock, 1);
    t.equal('with request coalescing in the process, one backend call', calls.coalesce, 1);
  },
);
