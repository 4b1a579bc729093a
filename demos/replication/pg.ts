// Sessions, LSNs and the cluster-wide switches the steps flip: paused replay on a standby and
// synchronous_standby_names on the primary. Every switch is undone by t.defer, and resetPair()
// undoes whatever a killed run left behind.

import pg from 'pg';
import type { StepContext } from '../kit/define.ts';
import { Timeout, waitFor } from '../kit/wait.ts';

/** How long a state the servers reach by themselves (streaming, sync, replayed) may take. */
export const SETTLE_MS = 20_000;

/** A session that names itself in pg_stat_activity; a terminated backend is not a crash here. */
export async function connect(url: string, role: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: 3000,
    application_name: `wn-replication-${role}`,
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** The first row of `sql`, typed by the caller. */
export async function one<R extends pg.QueryResultRow>(
  client: pg.Client,
  sql: string,
  params: unknown[] = [],
): Promise<R> {
  const rows = (await client.query<R>(sql, params)).rows;
  if (!rows[0]) throw new Error(`no row from: ${sql}`);
  return rows[0];
}

/** An LSN ("0/30260D8") as a number of bytes, to compare and subtract. */
export function lsn(text: string | null): bigint {
  const m = /^([0-9A-F]+)\/([0-9A-F]+)$/i.exec(text ?? '');
  if (!m) throw new Error(`not an LSN: ${text}`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

/** Where the primary's WAL ends now (the end of the last commit on this session, if just made). */
export async function currentLsn(primary: pg.Client): Promise<string> {
  return (await one<{ l: string }>(primary, 'SELECT pg_current_wal_lsn() AS l')).l;
}

/** The standby's received and replayed positions. */
export async function standbyLsns(
  standby: pg.Client,
): Promise<{ receive: string; replay: string }> {
  return one(
    standby,
    'SELECT pg_last_wal_receive_lsn() AS receive, pg_last_wal_replay_lsn() AS replay',
  );
}

/** Waits until the standby has replayed `target`; false when `timeoutMs` passes first. */
export async function replayedWithin(
  standby: pg.Client,
  target: string,
  timeoutMs: number,
): Promise<boolean> {
  try {
    return await waitFor(
      `replay of ${target}`,
      async () =>
        (
          await one<{ ok: boolean }>(
            standby,
            'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok',
            [target],
          )
        ).ok || undefined,
      { timeoutMs, intervalMs: 20 },
    );
  } catch (err) {
    if (err instanceof Timeout) return false;
    throw err;
  }
}

interface ReplicationRow {
  application_name: string;
  state: string;
  sync_state: string;
  sent_lsn: string;
  write_lsn: string;
  flush_lsn: string;
  replay_lsn: string;
  write_lag: string | null;
  flush_lag: string | null;
  replay_lag: string | null;
  /** replay_lag in milliseconds, and when the standby's last reply arrived (epoch ms). */
  replay_lag_ms: number | null;
  reply_at: number;
}

/** The primary's pg_stat_replication row for standby `name`, if it is connected. */
export async function replicationRow(
  primary: pg.Client,
  name: string,
): Promise<ReplicationRow | undefined> {
  const { rows } = await primary.query<ReplicationRow>(
    `SELECT application_name, state, sync_state, sent_lsn, write_lsn, flush_lsn, replay_lsn,
            write_lag::text, flush_lag::text, replay_lag::text,
            (extract(epoch FROM replay_lag) * 1000)::float8 AS replay_lag_ms,
            (extract(epoch FROM reply_time) * 1000)::float8 AS reply_at
       FROM pg_stat_replication WHERE application_name = $1`,
    [name],
  );
  return rows[0];
}

/** Waits until `probe` holds for standby `name`'s row (or its absence, given undefined). */
export function waitForRow(
  primary: pg.Client,
  name: string,
  what: string,
  probe: (row: ReplicationRow | undefined) => boolean,
): Promise<true> {
  return waitFor(
    `standby ${name} ${what}`,
    async () => (probe(await replicationRow(primary, name)) ? true : undefined),
    { timeoutMs: SETTLE_MS, intervalMs: 20 },
  );
}

async function replayState(standby: pg.Client): Promise<string> {
  return (await one<{ s: string }>(standby, 'SELECT pg_get_wal_replay_pause_state() AS s')).s;
}

/** Resumes replay on `standby` when it is paused (or pausing); idempotent. */
export async function resumeReplay(standby: pg.Client): Promise<void> {
  if ((await replayState(standby)) !== 'not paused')
    await standby.query('SELECT pg_wal_replay_resume()');
}

/** Pauses replay on `standby` (WAL still arrives; nothing new becomes visible) until the step ends. */
export async function pauseReplay(t: StepContext, standby: pg.Client): Promise<void> {
  t.defer(() => resumeReplay(standby));
  await standby.query('SELECT pg_wal_replay_pause()');
  await waitFor('replay to be paused', async () =>
    (await replayState(standby)) === 'paused' ? true : undefined,
  );
}

/**
 * Sets synchronous_standby_names on the primary (ALTER SYSTEM + reload) until the step ends, and
 * waits until the primary reports the new value. Any value the server accepts (`standby1`,
 * `ANY 1 (a, b)`, `*`, empty); one it refuses throws the server's error.
 */
export async function setSyncStandbyNames(
  t: StepContext,
  primary: pg.Client,
  value: string,
): Promise<void> {
  t.defer(() => asyncAgain(primary));
  await primary.query(
    `ALTER SYSTEM SET synchronous_standby_names = ${primary.escapeLiteral(value)}`,
  );
  await primary.query('SELECT pg_reload_conf()');
  await waitFor(`synchronous_standby_names = '${value}'`, async () =>
    (await one<{ v: string }>(primary, "SELECT current_setting('synchronous_standby_names') AS v"))
      .v === value
      ? true
      : undefined,
  );
}

/**
 * Makes standby `name` the synchronous one until the step ends. `connected`: wait until it shows
 * sync_state 'sync'; otherwise only for the setting.
 */
export async function syncStandby(
  t: StepContext,
  primary: pg.Client,
  name: string,
  connected = true,
): Promise<void> {
  await setSyncStandbyNames(t, primary, name);
  if (connected)
    await waitForRow(primary, name, "sync_state 'sync'", (r) => r?.sync_state === 'sync');
}

/** synchronous_standby_names back to its default (empty: every standby asynchronous). */
async function asyncAgain(primary: pg.Client): Promise<void> {
  if (
    (await one<{ v: string }>(primary, "SELECT current_setting('synchronous_standby_names') AS v"))
      .v === ''
  )
    return;
  await primary.query('ALTER SYSTEM RESET synchronous_standby_names');
  await primary.query('SELECT pg_reload_conf()');
  await waitFor('synchronous_standby_names to be empty', async () =>
    (await one<{ v: string }>(primary, "SELECT current_setting('synchronous_standby_names') AS v"))
      .v === ''
      ? true
      : undefined,
  );
}

/** Undoes what a run may have left switched: paused replay, a synchronous standby. */
export async function resetPair(env: { primary: pg.Client; standby: pg.Client }): Promise<void> {
  await resumeReplay(env.standby);
  await asyncAgain(env.primary);
}

/** The backend pid of a session, for pg_stat_activity and pg_cancel_backend. */
export async function backendPid(client: pg.Client): Promise<number> {
  return (await one<{ p: number }>(client, 'SELECT pg_backend_pid() AS p')).p;
}

/** Rows of `table` as the session `client` sees them now. */
export async function count(client: pg.Client, table: string): Promise<number> {
  return Number((await one<{ n: string }>(client, `SELECT count(*) AS n FROM ${table}`)).n);
}
