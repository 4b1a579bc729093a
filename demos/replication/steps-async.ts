// Asynchronous streaming replication made visible: with replay paused on the standby, a
// committed row is received there but not applied, and a client that reads its own write from the
// standby sees the old value until it waits for the commit's LSN (or reads from the primary).

import { step } from '../kit/define.ts';
import { expectedFor } from '../kit/versions.ts';
import { type Env, replicatedTable } from './env.ts';
import {
  count,
  currentLsn,
  lsn,
  one,
  pauseReplay,
  replayedWithin,
  replicationRow,
  resumeReplay,
  SETTLE_MS,
  standbyLsns,
  waitForRow,
} from './pg.ts';
import { WAIT_FOR_LSN } from './versions.ts';

/** How long a read-your-writes client waits for the standby before it reads from the primary. */
const RYW_DEADLINE_MS = 300;

export const asyncStep = step<Env>(
  {
    id: 'async-lag',
    section: 'asynchronous-streaming-replication',
    title: 'A committed row the standby has received but not replayed',
  },
  async (t, env) => {
    const { tables, standbys } = env.swept;
    t.say(
      `Left by dead runs and removed at setup: ${tables} tables, ${standbys} throwaway standbys.`,
    );
    const table = await replicatedTable(env, 'id int PRIMARY KEY, note text');
    await pauseReplay(t, env.standby);
    t.say('pg_wal_replay_pause() on the standby: WAL keeps arriving, nothing new is applied.');
    await env.primary.query(`INSERT INTO ${table} VALUES (1, 'written on the primary')`);
    const commit = await currentLsn(env.primary);
    // The standby reports write and flush positions after each write; wait for that report.
    const row = await waitForRow(env.primary, env.standbyName, 'to flush the commit', (r) =>
      r ? lsn(r.flush_lsn) >= lsn(commit) : false,
    ).then(() => replicationRow(env.primary, env.standbyName));
    if (!row) throw new Error(`standby ${env.standbyName} left pg_stat_replication`);
    const at = await standbyLsns(env.standby);
    t.table(
      ['position', 'LSN', 'meaning'],
      [
        ['pg_current_wal_lsn()', commit, 'primary: end of WAL after COMMIT returned'],
        ['sent_lsn', row.sent_lsn, 'primary → standby: sent'],
        ['write_lsn', row.write_lsn, 'standby: written to its OS'],
        ['flush_lsn', row.flush_lsn, 'standby: flushed to its disk'],
        ['replay_lsn', row.replay_lsn, 'standby: applied, visible to its queries'],
        ['pg_last_wal_receive_lsn()', at.receive, 'standby, asked directly'],
        ['pg_last_wal_replay_lsn()', at.replay, 'standby, asked directly'],
      ],
    );
    t.show(
      'write_lag / flush_lag / replay_lag',
      `${row.write_lag} / ${row.flush_lag} / ${row.replay_lag}`,
    );
    t.show(
      'replay lag in bytes (commit LSN − replay_lsn)',
      String(lsn(commit) - lsn(row.replay_lsn)),
    );
    t.equal(
      'COMMIT returned on the primary, yet a query on the standby finds 0 rows',
      await count(env.standby, table),
      0,
    );
    t.check(
      'the standby has received and flushed the commit (receive LSN and flush_lsn ≥ the commit LSN)',
      lsn(at.receive) >= lsn(commit) && lsn(row.flush_lsn) >= lsn(commit),
      `receive ${at.receive}, flush ${row.flush_lsn}, commit ${commit}`,
    );
    t.check(
      'but has not replayed it: replay_lsn < the commit LSN, and the row is invisible there',
      lsn(row.replay_lsn) < lsn(commit) && lsn(at.replay) < lsn(commit),
      `replay ${row.replay_lsn}, commit ${commit}`,
    );
    // replay_lag is recomputed at each standby reply (walsender.c, LagTrackerRead): with replay
    // stuck it is the age of the oldest unreplayed WAL, so it grows. More WAL makes the standby
    // reply again (after its write and its flush).
    await env.primary.query(`INSERT INTO ${table} VALUES (2, 'more WAL')`);
    const second = await currentLsn(env.primary);
    await waitForRow(env.primary, env.standbyName, 'to reply after flushing more WAL', (r) =>
      r ? lsn(r.flush_lsn) >= lsn(second) && r.reply_at > row.reply_at : false,
    );
    const later = await replicationRow(env.primary, env.standbyName);
    t.show(
      'replay_lag at the reply after the commit, and at a later reply',
      `${row.replay_lag} → ${later?.replay_lag} (${Math.round((later?.reply_at ?? 0) - row.reply_at)} ms later)`,
    );
    t.check(
      'with replay paused, replay_lag grows from one standby reply to the next',
      (later?.replay_lag_ms ?? 0) > (row.replay_lag_ms ?? Number.POSITIVE_INFINITY),
      `${row.replay_lag_ms} ms, then ${later?.replay_lag_ms} ms`,
    );
    await resumeReplay(env.standby);
    t.check(
      'after pg_wal_replay_resume() the standby replays up to the commit LSN',
      await replayedWithin(env.standby, commit, SETTLE_MS),
    );
    t.equal('and the rows are there: 2 rows', await count(env.standby, table), 2);
  },
);

export const readYourWritesStep = step<Env>(
  {
    id: 'read-your-writes',
    section: 'read-your-writes',
    title: 'Read-your-writes: stale from the standby, fixed by an LSN wait or the primary',
  },
  async (t, env) => {
    const table = await replicatedTable(env, 'id int PRIMARY KEY, name text');
    await env.primary.query(`INSERT INTO ${table} VALUES (1, 'Ada')`);
    if (!(await replayedWithin(env.standby, await currentLsn(env.primary), SETTLE_MS))) {
      throw new Error('the standby did not replay the first row');
    }
    await pauseReplay(t, env.standby);
    const nameOn = async (side: 'primary' | 'standby') =>
      (await one<{ name: string }>(env[side], `SELECT name FROM ${table} WHERE id = 1`)).name;

    await env.primary.query(`UPDATE ${table} SET name = 'Ada Lovelace' WHERE id = 1`);
    // The session's own commit is at or before its current WAL position: the read-your-writes token.
    const token = await currentLsn(env.primary);
    const stale = await nameOn('standby');
    const reached = await replayedWithin(env.standby, token, RYW_DEADLINE_MS);
    const builtIn = await env.standby
      .query(`WAIT FOR LSN '${token}' WITH (TIMEOUT '${RYW_DEADLINE_MS}')`)
      .then(
        () => 'returned',
        (e: { code?: string; message?: string }) =>
          e.code === '42601'
            ? 'syntax error: there is no WAIT FOR'
            : /time(d)? ?out/i.test(e.message ?? '')
              ? 'times out: the LSN is not replayed'
              : `${e.code}: ${e.message}`,
      );
    const fromPrimary = await nameOn('primary');
    await resumeReplay(env.standby);
    const reachedLater = await replayedWithin(env.standby, token, SETTLE_MS);
    const fresh = await nameOn('standby');

    t.figure({
      kind: 'timeline',
      title:
        'one client: writes to the primary, reads from the standby (replay paused, then resumed)',
      lanes: ['primary', 'standby'],
      rows: [
        { lane: 0, text: "UPDATE … name = 'Ada Lovelace'; COMMIT", result: 'ok' },
        { lane: 0, text: 'SELECT pg_current_wal_lsn()', result: `token ${token}` },
        { lane: 1, text: 'SELECT name', result: stale, mark: 'refused' },
        {
          lane: 1,
          text: `wait replay ≥ token, ${RYW_DEADLINE_MS} ms`,
          result: reached ? 'reached' : 'deadline',
          mark: 'waits',
        },
        { lane: 0, text: 'SELECT name (the fallback)', result: fromPrimary },
        {
          lane: 1,
          text: 'pg_wal_replay_resume(); wait ≥ token',
          result: reachedLater ? 'reached' : 'timeout',
        },
        { lane: 1, text: 'SELECT name', result: fresh },
      ],
    });
    t.equal('reading from the standby right after the write returns the old value', stale, 'Ada');
    t.check(
      'while replay is paused, waiting for the standby to replay the token LSN hits the deadline',
      !reached,
    );
    const fact = expectedFor(WAIT_FOR_LSN, env.standbyVersion);
    t.equal(`built in, \`WAIT FOR LSN\` (${fact.when}): ${fact.value}`, builtIn, fact.value);
    t.equal('the fallback read from the primary sees the write', fromPrimary, 'Ada Lovelace');
    t.check('once replay resumes, the standby passes the token LSN', reachedLater);
    t.equal('and then the standby read sees the write', fresh, 'Ada Lovelace');
  },
);
