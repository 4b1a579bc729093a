// What the backup steps share: a throwaway PostgreSQL 15 cluster of the run's own that archives
// every finished WAL segment into a folder beside it (archive_mode = on, archive_command = cp),
// with a role `app` and a database `shop` whose table the steps back up, restore and compare.

import { join } from 'node:path';
import type pg from 'pg';
import type { SetupInfo } from '../kit/define.ts';
import { type Cluster, createCluster, removeMyClusters, sweepClusters } from '../kit/pg-cluster.ts';

const ROWS = 10_000;

export interface Env {
  cluster: Cluster;
  /** The WAL archive: a folder the server user owns. */
  archive: string;
  /** A superuser session on the database shop. */
  shop: pg.Client;
  serverVersion: string;
  swept: number;
}

export async function openEnv(info: SetupInfo): Promise<Env> {
  const swept = await sweepClusters('backups');
  // The archive lives in the cluster's folder, so it goes with it; the path is known only once
  // the folder exists, so the archive settings come after creation (a restart applies them).
  const cluster = await createCluster({ topic: 'backups', settings: { wal_level: 'replica' } });
  try {
    const archive = join(cluster.dir, 'archive');
    await cluster.run('/bin/mkdir', ['-m', '700', archive]);
    cluster.appendSettings({
      archive_mode: 'on',
      archive_command: `test ! -f ${archive}/%f && cp %p ${archive}/%f`,
    });
    await cluster.stop();
    await cluster.start();
    const admin = await cluster.connect();
    try {
      await admin.query('CREATE ROLE app LOGIN');
      await admin.query('CREATE DATABASE shop OWNER app');
      const { rows } = await admin.query<{ v: string }>(
        "SELECT current_setting('server_version') AS v",
      );
      info.uses('postgresql', String(rows[0]?.v));
      const shop = await cluster.connect('postgres', 'shop');
      await shop.query('SET ROLE app');
      await shop.query('CREATE TABLE orders (id int PRIMARY KEY, customer text, total numeric)');
      await shop.query(
        `INSERT INTO orders SELECT g, 'customer ' || (g % 97), round((g * 7.31)::numeric % 1000, 2)
           FROM generate_series(1, ${ROWS}) g`,
      );
      await shop.query('RESET ROLE');
      return { cluster, archive, shop, serverVersion: String(rows[0]?.v), swept };
    } finally {
      await admin.end().catch(() => undefined);
    }
  } catch (err) {
    await cluster.remove();
    throw err;
  }
}

export async function closeEnv(env: Env): Promise<void> {
  await env.shop.end().catch(() => undefined);
  // The newest first: a restored copy before the cluster whose archive it reads.
  await removeMyClusters();
}
