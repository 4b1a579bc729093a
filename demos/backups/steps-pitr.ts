// Point-in-time recovery: a base backup plus the archived WAL after it replays the cluster to any
// moment after the backup. A DROP TABLE made after the backup is undone by recovering to just
// before it (recovery_target_lsn), with the rows written between the backup and the target.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { step } from '../kit/define.ts';
import { createCluster } from '../kit/pg-cluster.ts';
import { waitFor } from '../kit/wait.ts';
import { archiveSegment, type Env } from './env.ts';

async function one<T>(db: pg.Client, sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await db.query(sql, params);
  return Object.values(rows[0] ?? {})[0] as T;
}

/** An LSN ("0/30260D8") as a byte position. */
function bytes(lsn: string): bigint {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
}

/** The ids in events, or "no table". */
export async function events(db: pg.Client): Promise<string> {
  const exists = await one<boolean>(db, "SELECT to_regclass('events') IS NOT NULL");
  if (!exists) return 'no table events';
  return `ids ${await one<string>(db, "SELECT string_agg(id::text, ', ' ORDER BY id) FROM events")}`;
}

export const pitrStep = step<Env>(
  {
    id: 'pitr',
    section: 'point-in-time-recovery',
    title: 'A DROP TABLE undone: base backup + archived WAL, recovered to just before it',
  },
  async (t, env) => {
    const db = env.shop;
    t.defer(() => db.query('DROP TABLE IF EXISTS events'));
    // Where the next WAL record will go: the target is the first record after row 2's commit.
    const lsn = () => one<string>(db, 'SELECT pg_current_wal_insert_lsn()::text');
    const timeline: [string, string][] = [];
    await db.query('CREATE TABLE events (id int)');
    await db.query('INSERT INTO events VALUES (1)');
    timeline.push(['row 1 committed', await lsn()]);
    t.waiting('two base backups (one to restore as is, one to recover to a point)');
    const copy = (recover: boolean) =>
      createCluster({
        topic: 'backups',
        copyOf: { cluster: env.cluster, standby: false },
        start: false,
        settings: recover
          ? {
              archive_mode: 'off',
              restore_command: `cp ${env.archive}/%f %p`,
              recovery_target_inclusive: 'off',
              recovery_target_action: 'promote',
            }
          : { archive_mode: 'off' },
      });
    const plain = await copy(false);
    t.defer(() => plain.remove());
    const base = await copy(true);
    t.defer(() => base.remove());
    timeline.push(['base backups taken', await lsn()]);
    await db.query('INSERT INTO events VALUES (2)');
    const target = await lsn();
    timeline.push(['row 2 committed: the recovery target', target]);
    await db.query('INSERT INTO events VALUES (3)');
    const afterRow3 = await lsn();
    timeline.push(['row 3 committed', afterRow3]);
    await db.query('DROP TABLE events');
    timeline.push(['DROP TABLE events (the mistake)', await lsn()]);
    const segment = await archiveSegment(env);
    timeline.push([`pg_switch_wal(): ${segment} archived`, await lsn()]);
    t.table(['event on the original', 'WAL position (LSN)'], timeline);

    await plain.start();
    const plainDb = await plain.connect('postgres', 'shop');
    t.defer(() => plainDb.end());
    base.appendSettings({ recovery_target_lsn: target });
    writeFileSync(join(base.data, 'recovery.signal'), '');
    await base.start();
    const recovered = await base.connect('postgres', 'shop');
    t.defer(() => recovered.end());
    // pg_ctl returns once the server accepts (read-only) connections; promotion comes after.
    await waitFor('the recovered server to promote (recovery_target_action = promote)', async () =>
      (await one<boolean>(recovered, 'SELECT pg_is_in_recovery()')) ? undefined : true,
    );
    const log = readFileSync(base.log(), 'utf8');
    const lines = log
      .split('\n')
      .filter((l) =>
        /starting point-in-time recovery|recovery stopping|selected new timeline|archive recovery complete/.test(
          l,
        ),
      )
      .map((l) => l.replace(/^.*?LOG:\s+/, ''));
    t.block(lines);
    const tli = (c: pg.Client) =>
      one<string>(c, 'SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)');
    t.table(
      ['server', 'events', 'in recovery', 'timeline'],
      [
        ['original, now', await events(db), false, await tli(db)],
        [
          'base backup started as is',
          await events(plainDb),
          await one(plainDb, 'SELECT pg_is_in_recovery()'),
          await tli(plainDb),
        ],
        [
          `base backup + WAL to ${target}`,
          await events(recovered),
          await one(recovered, 'SELECT pg_is_in_recovery()'),
          await tli(recovered),
        ],
      ],
    );
    t.equal(
      'the base backup alone restores the moment of the backup: row 1 only',
      await events(plainDb),
      'ids 1',
    );
    t.equal(
      'recovered to just before the target: the table is back with the row written after the backup, and not the one after the target',
      await events(recovered),
      'ids 1, 2',
    );
    const stop = lines
      .map((l) => /recovery stopping before WAL location \(LSN\) "([0-9A-F/]+)"/.exec(l)?.[1])
      .find(Boolean);
    t.check(
      'the server says where it stopped: "recovery stopping before WAL location (LSN)" at the target, before row 3',
      stop !== undefined && bytes(stop) >= bytes(target) && bytes(stop) < bytes(afterRow3),
      `stopped at ${stop}, target ${target}, row 3 committed by ${afterRow3}`,
    );
    t.equal(
      'and promotes onto a new timeline (2), so its WAL cannot be confused with the original’s',
      {
        recovery: await one<boolean>(recovered, 'SELECT pg_is_in_recovery()'),
        timeline: await tli(recovered),
      },
      { recovery: false, timeline: '00000002' },
    );
  },
);
