// Step 2: more processes for more cores. uvicorn --workers 2 and node:cluster with 2 workers, each
// sent CPU-bound requests; who served each request is its answer (the worker's pid). The split and
// the speed-up are shown, not asserted (the split depends on timing): node:cluster's primary
// hands each connection to a worker that is free to take it, uvicorn's workers race to
// accept() on one socket, and a worker busy computing takes no connection.

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { step } from '../kit/define.ts';
import { burst } from './client.ts';
import type { Env } from './env.ts';
import { startFastApi, startNode } from './servers.ts';

const N = 8;
const CPU_MS = 100;

interface Served {
  /** Requests answered per pid. */
  split: Map<number, number>;
  wallMs: number;
}

async function cpuBurst(base: string): Promise<Served> {
  const sent = performance.now();
  const replies = await burst(`${base}/cpu?ms=${CPU_MS}`, N);
  const wallMs = performance.now() - sent;
  const split = new Map<number, number>();
  for (const r of replies) {
    if (r.status !== 200) throw new Error(`${base}/cpu: ${r.status}`);
    const { pid } = JSON.parse(r.body) as { pid: number };
    split.set(pid, (split.get(pid) ?? 0) + 1);
  }
  return { split, wallMs };
}

/** The parent of a live process, from /proc/<pid>/stat (fields after the command's ')'). */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

const shares = (s: Served) => [...s.split.values()].sort((a, b) => b - a);

export const workersStep = step<Env>(
  {
    id: 'workers',
    section: 'workers-and-cores',
    title: 'Workers and cores: uvicorn --workers 2 and node:cluster under CPU-bound requests',
  },
  async (t, env) => {
    t.waiting('uvicorn --workers 2 and a 2-worker node:cluster to start');
    const [api2, cluster] = await Promise.all([
      startFastApi(env.procs, env.redis.url, 2),
      startNode(env.procs, 'node-cluster.mjs', ['2']),
    ]);
    t.defer(() => Promise.all([api2.server.stop(), cluster.server.stop()]));
    const runs: [string, Served][] = [
      ['uvicorn, 1 worker', await cpuBurst(env.api.url)],
      ['uvicorn --workers 2', await cpuBurst(api2.url)],
      ['node:cluster, 2 workers', await cpuBurst(cluster.url)],
    ];
    const supervisors = [env.api.server.pid, api2.server.pid, cluster.server.pid];
    t.show('cores on this machine', availableParallelism());
    t.table(
      [`${N} requests × ${CPU_MS} ms of CPU`, 'requests per process', 'wall (client)'],
      runs.map(([label, s]) => [label, shares(s).join(' + '), `${Math.round(s.wallMs)} ms`]),
    );
    const [one, two] = runs.map(([, s]) => s) as [Served, Served];
    t.show(
      'speed-up of 2 uvicorn workers over 1 (shown, not asserted: the machine is shared)',
      `${(one.wallMs / two.wallMs).toFixed(2)}×`,
    );
    t.equal(
      'one uvicorn worker: all 8 requests in one process, the one uvicorn started',
      [...one.split.keys()],
      [supervisors[0]],
    );
    t.check(
      'one process computes one request at a time: 8 × 100 ms of CPU took at least 800 ms',
      one.wallMs >= N * CPU_MS,
      `${Math.round(one.wallMs)} ms`,
    );
    for (const [i, [label, served]] of runs.entries()) {
      if (i === 0) continue;
      const top = shares(served)[0] ?? 0;
      const pids = [...served.split.keys()];
      t.check(
        `${label}: every answer came from a worker process the supervisor started`,
        pids.every((p) => parentOf(p) === supervisors[i]),
        `pids ${pids.join(', ')}, parents ${pids.map(parentOf).join(', ')}, supervisor ${supervisors[i]}`,
      );
      t.check(
        `${label}: the wall time is at least the busier worker's share × 100 ms`,
        served.wallMs >= top * CPU_MS,
        `${Math.round(served.wallMs)} ms for a share of ${top}`,
      );
    }
  },
);
