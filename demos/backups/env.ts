// What the backup steps share: a throwaway PostgreSQL 15 cluster of the run's own that archives
// every finished WAL segment into a folder beside it (archive_mode = on, archive_command = cp),
// with a role `app` and a database `shop` whose table the steps back up, restore and compare. A
// PostgreSQL 18 cluster that summarizes its WAL (for incremental backups) starts beside it when
// its binaries are here.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import type { SetupInfo } from '../kit/define.ts';
import { type Cluster, createCluster, removeMyClusters, sweepClusters } from '../kit/pg-cluster.ts';
import { postgres18Bin } from '../kit/postgres18.ts';
import { waitFor } from '../kit/wait.ts';

const ROWS = 10_000;

export interface Env {
  cluster: Cluster;
  /** The WAL archive: a folder the server user owns. */
  archive: string;
  /** A superuser session on the database shop. */
  shop: pg.Client;
  serverVersion: string;
  swept: number;
  /** PostgreSQL 18 with summarize_wal = on, started at setup when its binaries are here (pg18). */
  pg18?: Promise<Cluster>;
}

/** A PostgreSQL 18.0 cluster (the postgres18-binaries need) that summarizes its WAL. */
function startPg18(): Promise<Cluster> {
  return createCluster({
    topic: 'backups',
    bin: postgres18Bin(),
    // 1 MB WAL files instead of 16: each backup carries the WAL written while it ran, whole files.
    initdb: ['--wal-segsize=1'],
    // A throwaway: the backups' fast checkpoints need not wait for the disk.
    settings: { summarize_wal: 'on', fsync: 'off' },
  });
}

/** The PostgreSQL 18 of the run: started at setup, or now when the setup could not know. */
export function pg18(env: Env): Promise<Cluster> {
  env.pg18 ??= startPg18();
  return env.pg18;
}

export async function openEnv(info: SetupInfo): Promise<Env> {
  const swept = await sweepClusters('backups');
  // Started beside the PostgreSQL 15 one; the step that uses it (or closeEnv) sees its error.
  const newer = info.available.has('postgres18-binaries') ? startPg18() : undefined;
  newer?.catch(() => undefined);
  try {
    // The archive lives in the cluster's folder, so it goes with it; the path is known only once
    // the folder exists, so the archive settings come after creation (a restart applies them).
    const cluster = await createCluster({ topic: 'backups', settings: { wal_level: 'replica' } });
    const archive = join(cluster.dir, 'archive');
    await cluster.run('/bin/mkdir', ['-m', '700', archive]);
    cluster.appendSettings({
      archive_mode: 'on',
      archive_command: `test ! -f ${archive}/%f && cp %p ${archive}/%f`,
    });
    await cluster.stop();
    await cluster.start();
    const { shop, serverVersion } = await fillShop(cluster);
    info.uses('postgresql', serverVersion);
    return { cluster, archive, shop, serverVersion, swept, pg18: newer };
  } catch (err) {
    await newer?.catch(() => undefined);
    await removeMyClusters();
    throw err;
  }
}

/**
 * The role app and its database shop with ROWS orders, owned by app, in `cluster`; a superuser
 * session on shop, and the server's version.
 */
export async function fillShop(
  cluster: Cluster,
): Promise<{ shop: pg.Client; serverVersion: string }> {
  const admin = await cluster.connect();
  try {
    await admin.query('CREATE ROLE app LOGIN');
    await admin.query('CREATE DATABASE shop OWNER app');
    const { rows } = await admin.query<{ v: string }>(
      "SELECT current_setting('server_version') AS v",
    );
    const shop = await cluster.connect('postgres', 'shop');
    await shop.query('SET ROLE app');
    await shop.query('CREATE TABLE orders (id int PRIMARY KEY, customer text, total numeric)');
    await shop.query(
      `INSERT INTO orders SELECT g, 'customer ' || (g % 97), round((g * 7.31)::numeric % 1000, 2)
         FROM generate_series(1, ${ROWS}) g`,
    );
    await shop.query('RESET ROLE');
    return { shop, serverVersion: String(rows[0]?.v) };
  } finally {
    await admin.end().catch(() => undefined);
  }
}

/** Ends the WAL segment being written (pg_switch_wal) and waits until the archive has it. */
export async function archiveSegment(env: Env): Promise<string> {
  const { rows } = await env.shop.query<{ f: string }>(
    'SELECT pg_walfile_name(pg_switch_wal()) AS f',
  );
  const segment = String(rows[0]?.f);
  await waitFor(`WAL segment ${segment} to be archived`, async () =>
    existsSync(join(env.archive, segment)) ? true : undefined,
  );
  return segment;
}

export async function closeEnv(env: Env): Promise<void> {
  await env.shop.end().catch(() => undefined);
  // The newest first: a restored copy before the cluster whose archive it reads.
  await removeMyClusters();
}
