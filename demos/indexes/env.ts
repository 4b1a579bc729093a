// What the index steps share: a throwaway PostgreSQL 15 cluster of the run's own holding the
// table the note talks about, a million rows with an index on `id` and one on `(a, b)`, built
// once and vacuumed. Autovacuum is off in this cluster and parallel query too, so the plans and
// buffer counts depend on the data alone (the steps say where a real server differs). A
// PostgreSQL 18 cluster with the same settings starts beside it when its binaries are here, for
// the step that compares the two.

import type pg from 'pg';
import type { SetupInfo } from '../kit/define.ts';
import { type Cluster, createCluster, removeMyClusters, sweepClusters } from '../kit/pg-cluster.ts';
import { postgres18Bin } from '../kit/postgres18.ts';

export const ROWS = 1_000_000;

/** A server a step compares with another: a superuser session and its version. */
export interface Server {
  db: pg.Client;
  serverVersion: string;
}

export interface Env extends Server {
  cluster: Cluster;
  /** Clusters dead runs had left, removed at setup. */
  swept: number;
  /** PostgreSQL 18, started at setup when its binaries are here (see pg18). */
  pg18?: Promise<Server>;
}

/** The clusters' settings: no autovacuum, no parallel workers (see above); the labs' too. */
export const SETTINGS = {
  autovacuum: 'off',
  max_parallel_workers_per_gather: 0,
  // A throwaway: nothing to lose in a crash, and the million rows load faster. (Not
  // synchronous_commit = off: hint bits, and so VACUUM's all-visible marks, wait for the flush.)
  fsync: 'off',
};

async function versionOf(db: pg.Client): Promise<string> {
  const { rows } = await db.query<{ v: string }>("SELECT current_setting('server_version') AS v");
  return String(rows[0]?.v);
}

/** What the steps read pages and the visibility map with. */
export const EXTENSIONS = ['CREATE EXTENSION pageinspect', 'CREATE EXTENSION pg_visibility'];

/** The table: id 1..1e6, a = id % 1000, b = id % 997, and a short text. */
const BUILD = [
  ...EXTENSIONS,
  'CREATE TABLE t1m (id int NOT NULL, a int NOT NULL, b int NOT NULL, pad text)',
  `INSERT INTO t1m SELECT g, g % 1000, g % 997, 'row ' || g FROM generate_series(1, ${ROWS}) g`,
  'CREATE INDEX t1m_id ON t1m (id)',
  'CREATE INDEX t1m_ab ON t1m (a, b)',
  'VACUUM ANALYZE t1m',
];

export async function openEnv(info: SetupInfo): Promise<Env> {
  const swept = await sweepClusters('indexes');
  // PostgreSQL 18 starts beside the million-row build, so the step that compares finds it ready.
  // The step (or closeEnv) awaits it and sees its error; until then a failure is no crash.
  const newer = info.available.has('postgres18-binaries') ? startPg18() : undefined;
  newer?.catch(() => undefined);
  try {
    const cluster = await createCluster({ topic: 'indexes', settings: SETTINGS });
    const db = await cluster.connect();
    for (const sql of BUILD) await db.query(sql);
    const serverVersion = await versionOf(db);
    info.uses('postgresql', serverVersion);
    return { cluster, db, serverVersion, swept, pg18: newer };
  } catch (err) {
    await newer?.then((s) => s.db.end()).catch(() => undefined);
    await removeMyClusters();
    throw err;
  }
}

/** PostgreSQL 18.0 (the postgres18-binaries need) with the same settings and pageinspect. */
async function startPg18(): Promise<Server> {
  const cluster = await createCluster({
    topic: 'indexes',
    bin: postgres18Bin(),
    settings: SETTINGS,
  });
  const db = await cluster.connect();
  await db.query('CREATE EXTENSION pageinspect');
  return { db, serverVersion: await versionOf(db) };
}

/** The PostgreSQL 18 of the run: started at setup, or now when the setup could not know. */
export function pg18(env: Env): Promise<Server> {
  env.pg18 ??= startPg18();
  return env.pg18;
}

export async function closeEnv(env: Env): Promise<void> {
  await env.db.end().catch(() => undefined);
  const other = await env.pg18?.catch(() => undefined);
  await other?.db.end().catch(() => undefined);
  await removeMyClusters();
}
