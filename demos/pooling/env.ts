// What the pooling steps share: a throwaway PostgreSQL 15 cluster of the run's own with a small
// max_connections (20, superuser_reserved_connections at its default of 3) and a role `app` that
// is no superuser, and a PgBouncer in front of it with one pool per pooling mode and size. A
// session of the superuser stays open for the steps' own looks (it holds one of the 20 slots,
// which every count below takes into account).

import type pg from 'pg';
import type { SetupInfo } from '../kit/define.ts';
import { type Cluster, createCluster, removeMyClusters, sweepClusters } from '../kit/pg-cluster.ts';
import { type Bouncer, type PoolEntry, startBouncer } from './bouncer.ts';

export const MAX_CONNECTIONS = 20;
/** The table the read/write split step writes to (and the app role may write). */
export const TABLE = 'orders';

export interface Env {
  cluster: Cluster;
  bouncer: Bouncer;
  /** The pools the run starts with (the read/write split step adds two and puts these back). */
  pools: PoolEntry[];
  /** A superuser session on the cluster, directly. */
  control: pg.Client;
  /** The server's version as it reports itself (server_version). */
  serverVersion: string;
  /** Clusters (with their PgBouncers) dead runs had left, removed at setup. */
  swept: number;
}

/** The pools: `tx5` (transaction mode, 5 server connections), `tx1`, and one per mode of size 2. */
function poolsFor(port: number): PoolEntry[] {
  return [
    { name: 'tx5', port, size: 5 },
    { name: 'tx1', port, size: 1 },
    { name: 'session2', port, size: 2, mode: 'session' },
    { name: 'transaction2', port, size: 2, mode: 'transaction' },
    { name: 'statement2', port, size: 2, mode: 'statement' },
  ];
}

export async function openEnv(info: SetupInfo): Promise<Env> {
  const swept = await sweepClusters('pooling');
  const cluster = await createCluster({
    topic: 'pooling',
    settings: { max_connections: MAX_CONNECTIONS, superuser_reserved_connections: 3 },
  });
  try {
    const control = await cluster.connect();
    await control.query('CREATE ROLE app LOGIN');
    await control.query(`CREATE TABLE ${TABLE} (id int)`);
    await control.query(`GRANT ALL ON ${TABLE} TO app`);
    const version = await control.query<{ v: string }>(
      "SELECT current_setting('server_version') AS v",
    );
    const serverVersion = String(version.rows[0]?.v);
    info.uses('postgresql', serverVersion);
    const pools = poolsFor(cluster.port);
    const bouncer = await startBouncer(cluster, pools);
    info.uses('pgbouncer', bouncer.version);
    return { cluster, bouncer, pools, control, serverVersion, swept };
  } catch (err) {
    await cluster.remove();
    throw err;
  }
}

export async function closeEnv(env: Env): Promise<void> {
  await env.control.end().catch(() => undefined);
  // Also a standby a step made, if an interrupt cut its cleanup short.
  await removeMyClusters();
}
