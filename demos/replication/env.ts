// What the replication steps share: a session on the primary and one on the standby, the
// standby's name, this run's tables, and the pair held for this run alone. Steps change
// cluster-wide settings (paused replay, synchronous_standby_names), so the run holds an advisory
// lock on the primary that a second run waits for; the server releases it if this process dies.

import type pg from 'pg';
import { type ReplicationLayout, replicationLayout } from '../../services/replication-native.ts';
import type { SetupInfo } from '../kit/define.ts';
import { isStale, parseRunName, runName } from '../kit/names.ts';
import { waitFor } from '../kit/wait.ts';
import { connect, currentLsn, replayedWithin, resetPair, SETTLE_MS } from './pg.ts';
import { removeThrowaways } from './throwaway.ts';

/** pg_advisory_lock key: "wn repl" in ASCII. */
const LOCK_KEY = 0x776e_7265_706cn;
const LOCK_WAIT_MS = 5 * 60_000;

export interface Env {
  layout: ReplicationLayout;
  /** The control session on the primary (holds the run's lock). */
  primary: pg.Client;
  standby: pg.Client;
  /** The standby's application_name in pg_stat_replication (its cluster_name). */
  standbyName: string;
  /** The standby's server_version, for the facts that changed in later releases. */
  standbyVersion: string;
  /** Tables this run created (dropped at closeEnv). */
  tables: Set<string>;
  /** What openEnv removed that dead runs had left: tables, throwaway standbys (and slots). */
  swept: { tables: number; standbys: number };
}

/** A new table name for this run, remembered for closeEnv. */
function newTable(env: Env): string {
  const name = runName('replication');
  env.tables.add(name);
  return name;
}

/** A new table of this run on the primary, already replayed on the standby. */
export async function replicatedTable(env: Env, columns: string): Promise<string> {
  const table = newTable(env);
  await env.primary.query(`CREATE TABLE ${table} (${columns})`);
  const at = await currentLsn(env.primary);
  if (!(await replayedWithin(env.standby, at, SETTLE_MS))) {
    throw new Error(`the standby did not replay CREATE TABLE ${table} within ${SETTLE_MS} ms`);
  }
  return table;
}

/** What dead runs left: their tables and throwaway standbys (folders, slots). */
async function sweep(env: Env): Promise<Env['swept']> {
  const stale = (n: string) => isStale(n, 'replication');
  const tables = (
    await env.primary.query<{ t: string }>(
      "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'wn\\_replication\\_%'",
    )
  ).rows.filter((r) => stale(r.t));
  for (const { t } of tables) await env.primary.query(`DROP TABLE IF EXISTS ${t}`);
  return { tables: tables.length, standbys: await removeThrowaways(env, stale) };
}

/** Takes the run's advisory lock, saying once (on stderr) whom it waits for. */
async function holdPair(primary: pg.Client): Promise<void> {
  const take = async () =>
    (await primary.query('SELECT pg_try_advisory_lock($1) AS ok', [LOCK_KEY])).rows[0]?.ok
      ? true
      : undefined;
  if (await take()) return;
  const { rows } = await primary.query<{ who: string }>(
    `SELECT a.application_name AS who FROM pg_locks l JOIN pg_stat_activity a USING (pid)
      WHERE l.locktype = 'advisory' AND l.granted AND l.objid = ($1::bigint & 4294967295)::oid`,
    [LOCK_KEY],
  );
  process.stderr.write(
    `demos/replication: waiting for another run to finish with the pair (${rows[0]?.who ?? 'unknown'})\n`,
  );
  await waitFor('the other replication run to finish (it holds the pair)', take, {
    timeoutMs: LOCK_WAIT_MS,
    intervalMs: 250,
  });
}

export async function openEnv(info: SetupInfo): Promise<Env> {
  const layout = replicationLayout();
  const primary = await connect(layout.primary.url, `control-${process.pid}`);
  const standby = await connect(layout.standby.url, 'standby');
  try {
    await holdPair(primary);
    const [p, s] = await Promise.all([
      primary.query("SELECT current_setting('server_version') AS v, pg_is_in_recovery() AS r"),
      standby.query(
        "SELECT current_setting('server_version') AS v, pg_is_in_recovery() AS r, current_setting('cluster_name') AS name",
      ),
    ]);
    if (p.rows[0]?.r) throw new Error(`${layout.primary.url} is in recovery: not a primary`);
    if (!s.rows[0]?.r) throw new Error(`${layout.standby.url} is not in recovery: not a standby`);
    info.uses('postgresql', String(p.rows[0]?.v));
    const standbyName = String(s.rows[0]?.name);
    const env: Env = {
      layout,
      primary,
      standbyVersion: String(s.rows[0]?.v),
      standby,
      standbyName,
      tables: new Set(),
      swept: { tables: 0, standbys: 0 },
    };
    // Whatever a killed run left set (paused replay, a synchronous standby) is undone first.
    await resetPair(env);
    env.swept = await sweep(env);
    return env;
  } catch (err) {
    await primary.end().catch(() => undefined);
    await standby.end().catch(() => undefined);
    throw err;
  }
}

export async function closeEnv(env: Env): Promise<void> {
  // Each part runs even when one before it failed; the first failure is reported.
  const parts = [
    () => resetPair(env),
    // Also what a step's own cleanup did not finish (an interrupt cuts it short).
    () => removeThrowaways(env, (n) => parseRunName(n)?.pid === process.pid),
    async () => {
      for (const t of env.tables) await env.primary.query(`DROP TABLE IF EXISTS ${t}`);
    },
  ];
  let failure: unknown;
  for (const part of parts) await part().catch((err: unknown) => (failure ??= err));
  await env.primary.end().catch(() => undefined);
  await env.standby.end().catch(() => undefined);
  if (failure) throw failure;
}
