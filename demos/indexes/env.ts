// What the index steps share: a throwaway PostgreSQL 15 cluster of the run's own holding the
// table the note talks about, a million rows with an index on `id` and one on `(a, b)`, built
// once and vacuumed. Autovacuum is off in this cluster and parallel query too, so the plans and
// buffer counts depend on the data alone (the steps say where a real server differs).

import type pg from 'pg';
import type { SetupInfo } from '../kit/define.ts';
import { type Cluster, createCluster, removeMyClusters, sweepClusters } from '../kit/pg-cluster.ts';

export const ROWS = 1_000_000;

export interface Env {
  cluster: Cluster;
  db: pg.Client;
  serverVersion: string;
  /** Clusters dead runs had left, removed at setup. */
  swept: number;
}

/** The table: id 1..1e6, a = id % 1000, b = id % 997, and a short text. */
const BUILD = [
  'CREATE EXTENSION pageinspect',
  'CREATE EXTENSION pg_visibility',
  'CREATE TABLE t1m (id int NOT NULL, a int NOT NULL, b int NOT NULL, pad text)',
  `INSERT INTO t1m SELECT g, g % 1000, g % 997, 'row ' || g FROM generate_series(1, ${ROWS}) g`,
  'CREATE INDEX t1m_id ON t1m (id)',
  'CREATE INDEX t1m_ab ON t1m (a, b)',
  'VACUUM ANALYZE t1m',
];

export async function openEnv(info: SetupInfo): Promise<Env> {
  const swept = await sweepClusters('indexes');
  const cluster = await createCluster({
    topic: 'indexes',
    settings: {
      autovacuum: 'off',
      max_parallel_workers_per_gather: 0,
      // A throwaway: nothing to lose in a crash, and the million rows load faster. (Not
      // synchronous_commit = off: hint bits, and so VACUUM's all-visible marks, wait for the flush.)
      fsync: 'off',
    },
  });
  try {
    const db = await cluster.connect();
    for (const sql of BUILD) await db.query(sql);
    const { rows } = await db.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    const serverVersion = String(rows[0]?.v);
    info.uses('postgresql', serverVersion);
    return { cluster, db, serverVersion, swept };
  } catch (err) {
    await cluster.remove();
    throw err;
  }
}

export async function closeEnv(env: Env): Promise<void> {
  await env.db.end().catch(() => undefined);
  await removeMyClusters();
}
