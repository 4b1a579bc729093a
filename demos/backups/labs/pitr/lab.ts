// Lab: undo a migration's DROP TABLE with point-in-time recovery to the restore point the deploy
// tool made before it. The learner's restore.sh prepares a base backup of the steps' archiving
// cluster (openEnv); the check starts it and makes the claims of step `pitr`: the table back with
// the rows written after the backup, not the DROP, and a server the app can write to again.

import { existsSync, readFileSync } from 'node:fs';
import { defineLab } from '../../../kit/lab.ts';
import { clustersForCheck, createCluster } from '../../../kit/pg-cluster.ts';
import { waitFor } from '../../../kit/wait.ts';
import { archiveSegment, openEnv } from '../../env.ts';
import { runScript } from '../../lab-setup.ts';
import { events } from '../../steps-pitr.ts';

const POINT = 'before_migration_42';

/** The last FATAL or PANIC line of a server log, or its last line. */
function whyStopped(file: string): string {
  const lines = (existsSync(file) ? readFileSync(file, 'utf8') : '').trim().split('\n');
  return (lines.filter((l) => /FATAL|PANIC/.test(l)).at(-1) ?? lines.at(-1) ?? '').replace(
    /^.*?(FATAL|PANIC):\s+/,
    '$1: ',
  );
}

export const lab = defineLab(import.meta.url, {
  id: 'pitr',
  title: 'Undo a DROP TABLE',
  task: 'Migration 42 dropped the events table: make restore.sh bring last night’s base backup back to the restore point before it, with the morning’s rows, ready for the app.',
  section: 'point-in-time-recovery',
  files: ['restore.sh'],
  needs: ['postgres15-binaries'],
  timeoutMs: 90_000,
  startFails: 'with every row written before migration 42',
  check: async (t, dir) => {
    await clustersForCheck(t, 'backups');
    const env = await openEnv({ available: new Set(), uses: (part, v) => t.uses(part, v) });
    t.defer(async () => {
      await env.shop.end().catch(() => undefined);
      await env.cluster.remove();
    });
    const db = env.shop;
    await db.query('CREATE TABLE events (id int)');
    await db.query('INSERT INTO events VALUES (1)');
    t.waiting("last night's base backup");
    const base = await createCluster({
      topic: 'backups',
      copyOf: { cluster: env.cluster, standby: false },
      start: false,
      settings: { archive_mode: 'off' },
    });
    t.defer(() => base.remove());
    await db.query('INSERT INTO events VALUES (2)');
    await db.query('SELECT pg_create_restore_point($1)', [POINT]);
    await db.query('DROP TABLE events');
    await archiveSegment(env);

    const prepared = await runScript(base, `${dir}/restore.sh`, {
      PGDATA: base.data,
      ARCHIVE: env.archive,
    });
    t.equal('restore.sh exits 0', prepared, 'exit 0');
    if (prepared !== 'exit 0') return;
    const started = await base.start().then(
      () => 'started',
      () => whyStopped(base.log()),
    );
    t.equal('the restored server starts', started, 'started');
    if (started !== 'started') return;
    const restored = await base.connect('postgres', 'shop');
    t.defer(() => restored.end().catch(() => undefined));
    // pg_ctl returns once the server accepts (read-only) connections; recovery may go on.
    const state = await waitFor('recovery to end, or to pause at its target', async () => {
      const { rows } = await restored.query<{ r: boolean; p: string | null }>(
        'SELECT pg_is_in_recovery() AS r, CASE WHEN pg_is_in_recovery() THEN pg_get_wal_replay_pause_state() END AS p',
      );
      if (rows[0]?.r === false) return 'recovery ended (promoted)';
      return rows[0]?.p === 'paused' ? 'still in recovery, paused at the target' : undefined;
    });
    const found = await events(restored);
    t.check('the table migration 42 dropped is back', found !== 'no table events', found);
    t.equal(`with every row written before migration 42: ids 1, 2`, found, 'ids 1, 2');
    const write = await restored.query('INSERT INTO events VALUES (3)').then(
      () => 'inserted',
      (err: { code?: string; message: string }) => `${err.code} ${err.message}`,
    );
    t.equal(
      'recovery has ended and the app can write again',
      { state, write },
      { state: 'recovery ended (promoted)', write: 'inserted' },
    );
  },
  hints: [
    {
      claim: 'with every row written before migration 42',
      ladder: [
        "The server came back as the base backup was: the rows written after last night's backup are missing.",
        'A base backup alone restores the moment it was taken. To replay the archived WAL after it the server must start in archive recovery, which it does only when the data folder holds a file recovery.signal; without it restore_command and the recovery targets are ignored (PostgreSQL docs §26.3.4 "Recovering Using a Continuous Archive Backup").',
        '`touch "$PGDATA/recovery.signal"` — and say where to stop before you do (next claim).',
      ],
    },
    {
      claim: 'the table migration 42 dropped is back',
      ladder: [
        'Recovery replayed the DROP TABLE too: with no target, archive recovery replays every WAL segment it can fetch.',
        'Stop at the restore point the deploy tool made: `recovery_target_name` (§20.5.6 "Recovery Target"; pg_create_restore_point).',
        "`recovery_target_name = 'before_migration_42'`",
      ],
    },
    {
      claim: 'recovery has ended and the app can write again',
      ladder: [
        'The data is right, but the server is still in recovery: read-only, so every write of the app fails.',
        'At its target the server does what recovery_target_action says, and the default is `pause`: it waits, read-only, for someone to look and call pg_wal_replay_resume() (§20.5.6). That is right for inspecting before committing to a point, wrong for a runbook that hands the server back to the app.',
        "`recovery_target_action = 'promote'` ends recovery at the target and starts a new timeline.",
      ],
    },
    {
      claim: 'the restored server starts',
      ladder: [
        'The server did not start with the settings restore.sh wrote: the FATAL line is above.',
        '"recovery ended before configured recovery target was reached" means the target names a point the archive does not reach: check the name against pg_create_restore_point above.',
      ],
    },
    {
      claim: 'restore.sh exits 0',
      ladder: [
        'restore.sh ended with an error: the first error it printed is on the ✗ line above.',
      ],
    },
  ],
  wrong: [
    {
      case: 'no-target',
      fails: 'the table migration 42 dropped is back',
      why: 'archive recovery without a target replays every archived segment, the DROP TABLE included',
    },
    {
      case: 'no-promote',
      fails: 'recovery has ended and the app can write again',
      why: 'recovery_target_action defaults to pause: the server stops at the point, read-only, until someone resumes it',
    },
  ],
});
