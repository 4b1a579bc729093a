// The standby is read-only until promoted; promotion starts a new timeline and nothing stops the
// old primary from writing too. Then CAP measured: a standby cut off from its primary, once
// synchronous (the primary stops acknowledging commits) and once asynchronous (the primary goes
// on, and a failover loses what it acknowledged). Everything destructive happens to throwaways.

import type pg from 'pg';
import { step } from '../kit/define.ts';
import { type Env, replicatedTable } from './env.ts';
import { count, currentLsn, one, replayedWithin, SETTLE_MS, syncStandby } from './pg.ts';
import { throwaway } from './throwaway.ts';
import { attempt, writer } from './writer.ts';

/** The timeline a server writes on now (a primary): the first 8 hex digits of its WAL file. */
async function timeline(client: pg.Client): Promise<number> {
  const w = await one<{ f: string }>(client, 'SELECT pg_walfile_name(pg_current_wal_lsn()) AS f');
  return Number.parseInt(w.f.slice(0, 8), 16);
}

async function promote(client: pg.Client): Promise<boolean> {
  return (await one<{ ok: boolean }>(client, 'SELECT pg_promote(true, 30) AS ok')).ok;
}

export const readOnlyStep = step<Env>(
  {
    id: 'read-only',
    section: 'the-standby-is-read-only',
    title: 'A hot standby answers reads and refuses writes',
  },
  async (t, env) => {
    const table = await replicatedTable(env, 'id int PRIMARY KEY');
    const rec = await one<{ r: boolean }>(env.standby, 'SELECT pg_is_in_recovery() AS r');
    t.equal('the standby is in recovery (pg_is_in_recovery() = true)', rec.r, true);
    t.equal('it answers reads: SELECT count(*) works there', await count(env.standby, table), 0);
    await t.rejects(
      'an INSERT on the standby fails with SQLSTATE 25006 (read_only_sql_transaction)',
      () => env.standby.query(`INSERT INTO ${table} VALUES (1)`),
      { code: '25006', message: /cannot execute INSERT in a read-only transaction/ },
    );
  },
);

export const promoteStep = step<Env>(
  {
    id: 'promote',
    section: 'promotion-and-timelines',
    title: 'pg_promote(): a throwaway standby becomes a primary on a new timeline',
  },
  async (t, env) => {
    const table = await replicatedTable(env, 'id int PRIMARY KEY, side text');
    const spare = await throwaway(t, env);
    const s = spare.client();
    const before = await one<{ tli: number }>(
      s,
      'SELECT received_tli AS tli FROM pg_stat_wal_receiver',
    );
    const primaryTli = await timeline(env.primary);
    t.equal('pg_promote() on the throwaway standby returns true', await promote(s), true);
    const rec = await one<{ r: boolean }>(s, 'SELECT pg_is_in_recovery() AS r');
    const after = await timeline(s);
    t.show(
      'timeline: primary / standby before / promoted standby',
      `${primaryTli} / ${before.tli} / ${after}`,
    );
    t.equal('it has left recovery (pg_is_in_recovery() = false)', rec.r, false);
    t.equal('and writes on a new timeline: the old one plus 1', after, before.tli + 1);
    await s.query(`INSERT INTO ${table} VALUES (1, 'promoted standby')`);
    await env.primary.query(`INSERT INTO ${table} VALUES (1, 'old primary')`);
    const sideOn = async (c: pg.Client) =>
      (await one<{ side: string }>(c, `SELECT side FROM ${table} WHERE id = 1`)).side;
    const a = { side: await sideOn(env.primary) };
    const b = { side: await sideOn(s) };
    t.table(
      ['server', 'row id 1'],
      [
        ['old primary', a.side],
        ['promoted standby', b.side],
      ],
    );
    t.check(
      'nothing fences the old primary: both accept a row with id 1, with different values (split brain)',
      a.side === 'old primary' && b.side === 'promoted standby',
    );
  },
);

export const capSyncStep = step<Env>(
  {
    id: 'cap-sync',
    section: 'cap-and-pacelc-measured',
    title: 'Partition, synchronous standby: commits stop, the standby serves stale reads',
  },
  async (t, env) => {
    const table = await replicatedTable(env, 'id int PRIMARY KEY');
    const spare = await throwaway(t, env);
    await syncStandby(t, env.primary, spare.name);
    const w = await writer(t, env);
    await w.session.query(`INSERT INTO ${table} VALUES (1)`);
    if (!(await replayedWithin(spare.client(), await currentLsn(env.primary), SETTLE_MS))) {
      throw new Error('the throwaway standby did not replay the first row');
    }
    t.waiting(
      'isolating the synchronous standby: primary_conninfo emptied, its WAL receiver stops',
    );
    await spare.isolate();
    const { outcome, pending } = await attempt(env, w, `INSERT INTO ${table} VALUES (2)`);
    const onStandby = await count(spare.client(), table);
    const onPrimary = await count(env.primary, table);
    t.equal(
      'during the partition the primary does not acknowledge a commit: it waits in SyncRep',
      outcome,
      'waits in SyncRep',
    );
    t.equal('the cut-off standby still answers reads, without the new row: 1 row', onStandby, 1);
    t.equal('readers on the primary do not see the unacknowledged row either: 1 row', onPrimary, 1);
    await spare.heal();
    await pending;
    t.check('when the standby reconnects the waiting COMMIT returns', true);
    t.check(
      'and both servers agree again: the standby replays the row',
      await replayedWithin(spare.client(), await currentLsn(env.primary), SETTLE_MS),
    );
    t.equal('2 rows on the standby', await count(spare.client(), table), 2);
  },
);

/** How many writes the primary acknowledges during the partition. */
const WRITES = 5;

export const capAsyncStep = step<Env>(
  {
    id: 'cap-async',
    section: 'cap-and-pacelc-measured',
    title: 'Partition, asynchronous standby: commits go on, a failover loses them',
  },
  async (t, env) => {
    const table = await replicatedTable(env, 'id int PRIMARY KEY');
    await env.primary.query(`INSERT INTO ${table} SELECT generate_series(1, 3)`);
    const spare = await throwaway(t, env);
    t.waiting('isolating the asynchronous standby: primary_conninfo emptied');
    await spare.isolate();
    let acknowledged = 0;
    for (let i = 0; i < WRITES; i++) {
      await env.primary.query(`INSERT INTO ${table} VALUES (${100 + i})`);
      acknowledged++;
    }
    const stale = await count(spare.client(), table);
    t.equal(
      `during the partition the primary acknowledges all ${WRITES} writes`,
      acknowledged,
      WRITES,
    );
    t.equal('the cut-off standby serves stale reads: 3 rows', stale, 3);
    t.say('Failover: the primary is unreachable from the standby, so it is promoted.');
    t.equal(
      'pg_promote() on the cut-off standby returns true',
      await promote(spare.client()),
      true,
    );
    const kept = (await count(spare.client(), table)) - 3;
    const lost = acknowledged - kept;
    t.figure({
      kind: 'matrix',
      title: 'rows after the failover',
      columns: ['rows', 'acknowledged during the partition'],
      rows: [
        {
          label: 'old primary',
          cells: [String(await count(env.primary, table)), String(acknowledged)],
        },
        { label: 'new primary (promoted)', cells: [String(kept + 3), String(kept)] },
      ],
    });
    t.equal(`the failover lost ${WRITES} of the ${WRITES} acknowledged writes`, lost, WRITES);
  },
);
