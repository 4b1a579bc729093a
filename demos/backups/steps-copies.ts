// The two kinds of backup, each restored and compared with the original: pg_dump (logical: one
// database as SQL, restored with pg_restore, without the roles it names) and pg_basebackup
// (physical: the whole cluster's files, started as a server of its own).

import { join } from 'node:path';
import { step } from '../kit/define.ts';
import { createCluster } from '../kit/pg-cluster.ts';
import { fingerprint } from './compare.ts';
import type { Env } from './env.ts';

/** -h -p -U for a client tool aimed at the cluster. */
function target(env: Env): string[] {
  return ['-h', '127.0.0.1', '-p', String(env.cluster.port), '-U', 'postgres'];
}

export const logicalStep = step<Env>(
  {
    id: 'logical',
    section: 'logical-backups-pg_dump-and-pg_restore',
    title: 'pg_dump one database, pg_restore it, compare every row',
  },
  async (t, env) => {
    t.say(`Left by dead runs and removed at setup: ${env.swept} clusters.`);
    const file = join(env.cluster.dir, 'shop.dump');
    await env.cluster.run('pg_dump', [...target(env), '-Fc', '-f', file, 'shop']);
    const admin = await env.cluster.connect();
    t.defer(async () => {
      await admin.query('DROP DATABASE IF EXISTS shop_copy WITH (FORCE)');
      await admin.end();
    });
    await admin.query('CREATE DATABASE shop_copy');
    await env.cluster.run('pg_restore', [...target(env), '-d', 'shop_copy', file]);
    const copy = await env.cluster.connect('postgres', 'shop_copy');
    t.defer(() => copy.end());
    const original = await fingerprint(env.shop);
    const restored = await fingerprint(copy);
    t.table(
      ['database', 'rows in orders', 'md5 of every row in id order'],
      [
        ['shop (original)', original.rows, original.md5],
        ['shop_copy (pg_restore of pg_dump -Fc)', restored.rows, restored.md5],
      ],
    );
    t.equal(
      'the restored database has every row, unchanged (count and checksum)',
      restored,
      original,
    );
    const schema = await env.cluster.run('pg_dump', [...target(env), '--schema-only', 'shop']);
    const globals = await env.cluster.run('pg_dumpall', [...target(env), '--globals-only']);
    t.show(
      'pg_dump --schema-only shop, owner lines',
      schema
        .split('\n')
        .filter((l) => /OWNER TO/.test(l))
        .slice(0, 2)
        .join(' | '),
    );
    t.check(
      "pg_dump names the table's owner (ALTER … OWNER TO app) but does not create the role",
      /OWNER TO app;/.test(schema) && !/CREATE ROLE/.test(schema),
    );
    t.check(
      'the roles are in pg_dumpall --globals-only: CREATE ROLE app',
      /CREATE ROLE app;/.test(globals),
    );
  },
);

export const physicalStep = step<Env>(
  {
    id: 'physical',
    section: 'physical-backups-pg_basebackup',
    title: 'pg_basebackup the cluster, start the copy, compare',
  },
  async (t, env) => {
    t.waiting('pg_basebackup of the whole cluster into a new folder, started on a free port');
    const copy = await createCluster({
      topic: 'backups',
      copyOf: { cluster: env.cluster, standby: false },
      // The copy must not archive into the original's archive.
      settings: { archive_mode: 'off' },
    });
    t.defer(() => copy.remove());
    const shop = await copy.connect('postgres', 'shop');
    t.defer(() => shop.end());
    const original = await fingerprint(env.shop);
    const restored = await fingerprint(shop);
    const listing = async (c: typeof shop) =>
      (
        await c.query<{ r: string }>(
          `SELECT string_agg(datname, ', ' ORDER BY datname) AS r FROM pg_database
            UNION ALL SELECT string_agg(rolname, ', ' ORDER BY rolname) FROM pg_roles WHERE rolname !~ '^pg_'`,
        )
      ).rows.map((r) => r.r);
    const [dbs, roles] = await listing(env.shop);
    const [copyDbs, copyRoles] = await listing(shop);
    t.table(
      ['cluster', 'databases', 'roles', 'orders rows', 'md5'],
      [
        ['original', dbs, roles, original.rows, original.md5],
        ['started from the base backup', copyDbs, copyRoles, restored.rows, restored.md5],
      ],
    );
    t.equal('the copy has every row of shop, unchanged (count and checksum)', restored, original);
    t.equal(
      'a base backup is the whole cluster: the same databases and roles',
      { databases: copyDbs, roles: copyRoles },
      { databases: dbs, roles },
    );
  },
);
