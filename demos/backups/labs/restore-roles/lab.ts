// Lab: a nightly pg_dump that does not restore on a new server. The learner's backup.sh runs
// against a cluster holding the steps' shop (fillShop), with a second role that may read orders;
// restore.sh runs against a new, empty cluster. The claims are step `logical`'s: every row back
// (the same fingerprint), and the roles pg_dump does not carry, back with their rights.

import { defineLab } from '../../../kit/lab.ts';
import { clustersForCheck, createCluster } from '../../../kit/pg-cluster.ts';
import { fingerprint } from '../../compare.ts';
import { fillShop } from '../../env.ts';
import { pgVars, rolesOf, runScript } from '../../lab-setup.ts';

export const lab = defineLab(import.meta.url, {
  id: 'restore-roles',
  title: 'A backup that restores with errors',
  task: 'The restore drill of the nightly pg_dump onto a new server ends with errors: make backup.sh and restore.sh give back shop as it was, rows, owner and readers.',
  section: 'logical-backups-pg_dump-and-pg_restore',
  files: ['backup.sh', 'restore.sh'],
  needs: ['postgres15-binaries'],
  timeoutMs: 90_000,
  startFails: 'restore.sh exits 0 on the new, empty server',
  check: async (t, dir) => {
    await clustersForCheck(t, 'backups');
    // The new, empty server to restore onto is made beside the original: two initdbs at once.
    const [original, fresh] = await Promise.all([
      createCluster({ topic: 'backups' }),
      createCluster({ topic: 'backups' }),
    ]);
    t.defer(() => original.remove());
    t.defer(() => fresh.remove());
    const { shop, serverVersion } = await fillShop(original);
    t.defer(() => shop.end().catch(() => undefined));
    t.uses('postgresql', serverVersion);
    // The BI tool reads orders as a role of its own.
    await shop.query('CREATE ROLE reporting LOGIN');
    await shop.query('GRANT SELECT ON orders TO reporting');
    const backupDir = `${original.dir}/backup`;
    await original.run('/bin/mkdir', ['-m', '700', backupDir]);
    const backedUp = await runScript(original, `${dir}/backup.sh`, {
      ...pgVars(original),
      BACKUP_DIR: backupDir,
    });
    t.equal('backup.sh exits 0', backedUp, 'exit 0');
    if (backedUp !== 'exit 0') return;

    const restored = await runScript(fresh, `${dir}/restore.sh`, {
      ...pgVars(fresh),
      BACKUP_DIR: backupDir,
    });
    t.equal('restore.sh exits 0 on the new, empty server', restored, 'exit 0');
    const copy = await fresh.connect('postgres', 'shop').catch(() => undefined);
    if (!copy) {
      t.check('the restored server has a database shop', false, 'no database shop');
      return;
    }
    t.defer(() => copy.end().catch(() => undefined));
    const [before, after] = await Promise.all([fingerprint(shop), fingerprint(copy)]);
    t.equal('every row of orders is back, unchanged (count and md5)', after, before);
    t.equal(
      'the roles are back with their rights: app owns orders, reporting may read it',
      await rolesOf(copy),
      await rolesOf(shop),
    );
  },
  hints: [
    {
      claim: 'restore.sh exits 0 on the new, empty server',
      ladder: [
        'restore.sh ended with errors on the new server: the first one is on the ✗ line above.',
        'The errors name roles: `role "app" does not exist`. Roles (and tablespaces) belong to the whole cluster; pg_dump writes one database and only names the roles that own or may use its objects (PostgreSQL docs §26.1 "SQL Dump"; the pg_dump reference page, "Description").',
        'Back them up with `pg_dumpall --globals-only` beside the dump, and replay that file with psql on the new server before pg_restore.',
        '`pg_dump -C` adds CREATE DATABASE … and its owner, not the owner role: the restore still names a role that is not there.',
      ],
    },
    {
      claim: 'the roles are back with their rights',
      ladder: [
        'The rows are back, but not who owns them and who may read them: the app logs in as app, the BI tool as reporting.',
        '`--no-owner --no-privileges` makes pg_restore skip the statements that failed instead of making them work: the restored table belongs to whoever ran the restore, and no grant is left.',
        'The roles must exist before pg_restore runs: `pg_dumpall --globals-only` at backup time, replayed with psql before pg_restore.',
      ],
    },
    {
      claim: 'backup.sh exits 0',
      ladder: ['backup.sh ended with an error: the first error it printed is on the ✗ line above.'],
    },
    {
      claim: 'every row of orders is back',
      ladder: [
        'The restored orders differ from the original: a row is missing, extra or changed.',
        'Restore the whole dump into the database shop: `pg_restore -d shop`.',
      ],
    },
    {
      claim: 'the restored server has a database shop',
      ladder: [
        'After restore.sh the new server has no database shop: create it (createdb) or let pg_restore -C do it.',
      ],
    },
  ],
  wrong: [
    {
      case: 'no-owner',
      fails: 'the roles are back with their rights',
      why: '--no-owner --no-privileges silences the errors by dropping ownership and grants: reporting cannot read, app owns nothing',
    },
    {
      case: 'create-db',
      fails: 'restore.sh exits 0 on the new, empty server',
      why: 'pg_dump -C recreates the database and names its owner, but the role app is still not in the dump',
    },
  ],
});
