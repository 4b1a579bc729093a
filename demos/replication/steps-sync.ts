// Synchronous replication: what each synchronous_commit level waits for, measured with the
// synchronous standby's replay paused; and what a commit does when that standby is gone.

import { step } from '../kit/define.ts';
import { waitFor } from '../kit/wait.ts';
import { type Env, replicatedTable } from './env.ts';
import {
  count,
  currentLsn,
  lsn,
  one,
  pauseReplay,
  replicationRow,
  resumeReplay,
  syncStandby,
} from './pg.ts';
import { throwaway } from './throwaway.ts';
import { attempt, type Outcome, writer } from './writer.ts';

const LEVELS = ['off', 'local', 'remote_write', 'on', 'remote_apply'] as const;

/** What a commit that returned at each level survives (runtime-config-wal, synchronous_commit). */
const PROMISE: Record<(typeof LEVELS)[number], string> = {
  off: 'nothing: a primary crash can lose it',
  local: "the primary's disk; not a failover",
  remote_write: "the standby's OS; not its OS crash",
  on: "the standby's disk; not visible there",
  remote_apply: 'the standby, visible to its reads',
};

export const syncLevelsStep = step<Env>(
  {
    id: 'sync-levels',
    section: 'synchronous-commit-levels',
    title: 'synchronous_commit: which levels return while the sync standby cannot replay',
  },
  async (t, env) => {
    const table = await replicatedTable(env, 'id int PRIMARY KEY, level text');
    await syncStandby(t, env.primary, env.standbyName);
    t.say(`synchronous_standby_names = '${env.standbyName}'; pg_wal_replay_pause() on it.`);
    await pauseReplay(t, env.standby);
    const w = await writer(t, env);
    const rows: string[][] = [];
    let afterResume: number | undefined;
    const seen: Record<
      string,
      { outcome: Outcome; visible: number; flush: bigint; commit: bigint }
    > = {};
    for (const [i, level] of LEVELS.entries()) {
      await w.session.query(`SET synchronous_commit = ${level}`);
      // remote_apply: a later commit at 'on' (the control session) returns once the standby has
      // flushed past this one too; if this one still waits then, it waits for the replay.
      const { outcome, pending } = await attempt(
        env,
        w,
        `INSERT INTO ${table} VALUES (${i + 1}, '${level}')`,
        level === 'remote_apply'
          ? () => env.primary.query('SELECT pg_current_xact_id()')
          : (p) => p,
      );
      const visible = await count(env.standby, table);
      let cell = `${visible} of ${i + 1}`;
      if (outcome !== 'returned') {
        t.waiting(`pg_wal_replay_resume(): the ${level} commit waits for the replay`);
        await resumeReplay(env.standby);
        await pending;
        afterResume = await count(env.standby, table);
        cell += `, then ${afterResume}`;
      }
      const commit = lsn(await currentLsn(w.session));
      const row = await replicationRow(env.primary, env.standbyName);
      seen[level] = {
        outcome,
        visible,
        commit,
        flush: lsn(row?.flush_lsn ?? null),
      };
      rows.push([level, outcome, cell, PROMISE[level]]);
    }
    t.figure({
      kind: 'matrix',
      title: 'one INSERT per level; the standby is synchronous, its replay paused',
      columns: ['COMMIT', 'rows on the standby', 'a commit that returned survives on'],
      rows: rows.map(([level, ...cells]) => ({ label: level as string, cells })),
    });
    const outcomes = Object.fromEntries(LEVELS.map((l) => [l, seen[l]?.outcome]));
    t.equal(
      'off, local, remote_write and on return while replay is paused; remote_apply waits in SyncRep',
      outcomes,
      {
        off: 'returned',
        local: 'returned',
        remote_write: 'returned',
        on: 'returned',
        remote_apply: 'waits in SyncRep',
      },
    );
    const on = seen.on;
    t.check(
      "when an 'on' commit returns, the standby has flushed it (flush_lsn ≥ its commit LSN)",
      on !== undefined && on.flush >= on.commit,
    );
    t.equal(
      'yet after off, local, remote_write and on the standby shows none of the 4 rows',
      on?.visible,
      0,
    );
    t.equal(
      'remote_apply returns after pg_wal_replay_resume(), and then the standby shows all 5 rows',
      afterResume,
      5,
    );
  },
);

export const syncDownStep = step<Env>(
  {
    id: 'sync-down',
    section: 'when-the-synchronous-standby-is-down',
    title: 'The synchronous standby is down: COMMIT waits; a cancel leaves it committed',
  },
  async (t, env) => {
    const table = await replicatedTable(env, 'id int PRIMARY KEY');
    const spare = await throwaway(t, env);
    await syncStandby(t, env.primary, spare.name);
    t.say(`synchronous_standby_names = '${spare.name}' (a throwaway standby); now it stops.`);
    await spare.stop();
    const w = await writer(t, env);
    await w.session.query("SET statement_timeout = '200ms'");
    const { outcome, pending } = await attempt(env, w, `INSERT INTO ${table} VALUES (1)`);
    t.equal(
      'the INSERT does not return: its backend waits in SyncRep',
      outcome,
      'waits in SyncRep',
    );
    // Server time, not ours: the backend has waited five times its statement_timeout.
    await waitFor(
      '1 s of waiting on the server clock',
      async () =>
        (
          await one<{ long: boolean }>(
            env.primary,
            "SELECT now() - query_start > interval '1 second' AS long FROM pg_stat_activity WHERE pid = $1",
            [w.pid],
          )
        ).long || undefined,
    );
    const still = await one<{ e: string | null }>(
      env.primary,
      'SELECT wait_event AS e FROM pg_stat_activity WHERE pid = $1',
      [w.pid],
    );
    t.equal(
      'statement_timeout = 200ms does not end it: after 1 s it still waits in SyncRep',
      still.e,
      'SyncRep',
    );
    t.equal(
      'other sessions on the primary do not see the row yet',
      await count(env.primary, table),
      0,
    );
    await env.primary.query('SELECT pg_cancel_backend($1)', [w.pid]);
    const result = await pending.then(
      () => 'succeeded',
      (err: Error) => `failed: ${err.message}`,
    );
    const warning = w.notices.find((n) => n.severity === 'WARNING');
    t.block([`WARNING:  ${warning?.message ?? '(none)'}`, `DETAIL:  ${warning?.detail ?? ''}`]);
    t.equal('after pg_cancel_backend the client sees the INSERT succeed', result, 'succeeded');
    t.match(
      'with a WARNING that the transaction has already committed locally',
      warning?.detail ?? '',
      /already committed locally, but might not have been replicated/,
    );
    t.equal('and the row is there on the primary: 1 row', await count(env.primary, table), 1);
    const slot = await one<{ active: boolean; wal_status: string }>(
      env.primary,
      'SELECT active, wal_status FROM pg_replication_slots WHERE slot_name = $1',
      [spare.name],
    );
    t.equal(
      "the stopped standby's slot is inactive and keeps its WAL (wal_status 'reserved')",
      slot,
      { active: false, wal_status: 'reserved' },
    );
    await w.session.query('SET synchronous_commit = local');
    const local = await attempt(env, w, `INSERT INTO ${table} VALUES (2)`);
    t.equal(
      'with synchronous_commit = local the next INSERT returns at once',
      local.outcome,
      'returned',
    );
  },
);
