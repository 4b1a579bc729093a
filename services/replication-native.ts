// The replication service: a PostgreSQL primary and a streaming standby made natively with the
// system PostgreSQL binaries (initdb, pg_ctl, pg_basebackup -R with a physical replication slot),
// on fixed loopback ports (PG_PRIMARY_URL, PG_STANDBY_URL). Ready means the standby is
// `streaming` in the primary's pg_stat_replication. PostgreSQL refuses to run as root, so under
// root every binary runs as the `postgres` OS user, and the data lives where that user can reach
// it (db-binaries.ts serverPlace: our state folder if it can, else its own). The replication demo
// uses the same functions for its throwaway standbys (made and removed per step).

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { serviceEnv } from '../demos/kit/endpoints.ts';
import { cacheDir, stateDir } from '../demos/kit/variables.ts';
import {
  asServerUser,
  type Scratch,
  type ServerHome,
  scratchServers,
  serverPlace,
} from './db-binaries.ts';
import type { NativeLauncher } from './launcher.ts';
import { alive, ServiceError, tail, waitFor } from './proc.ts';

/** The service's standby, as the primary's pg_stat_replication.application_name shows it. */
export const STANDBY_NAME = 'standby1';
const PG_MAJOR = 15;
const READY_MS = 30_000;

interface PgEndpoint {
  url: string;
  host: string;
  port: number;
}

/** Where the pair lives and who runs it. */
export interface ReplicationLayout {
  /** Who runs the servers (the `postgres` user under root). */
  home: ServerHome;
  /** Data directories, logs and sockets: `primary/`, `standby/`, and a demo's throwaways. */
  root: string;
  primary: PgEndpoint;
  standby: PgEndpoint;
}

function endpoint(url: string): PgEndpoint {
  const u = new URL(url);
  return { url, host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 5432) };
}

/**
 * The pair's layout for the service folder `serviceDir` (`<state>/replication`): PG_PRIMARY_URL
 * and PG_STANDBY_URL (validated), and its data folder, made and owned by the server user.
 */
export function replicationLayout(serviceDir = join(stateDir(), 'replication')): ReplicationLayout {
  const env = serviceEnv('replication');
  const { home, dir } = serverPlace({ cache: cacheDir(), dir: serviceDir }, 'replication');
  return {
    home,
    root: dir,
    primary: endpoint(env.PG_PRIMARY_URL),
    standby: endpoint(env.PG_STANDBY_URL),
  };
}

function binary(name: string): string {
  const bin = `/usr/lib/postgresql/${PG_MAJOR}/bin/${name}`;
  if (!existsSync(bin)) {
    throw new ServiceError(
      `replication: ${bin} not found: install PostgreSQL ${PG_MAJOR} (Debian: \`apt-get install postgresql-${PG_MAJOR}\`)`,
    );
  }
  return bin;
}

/**
 * Runs a PostgreSQL binary as the server user, in its own process group: a Ctrl-C meant for the
 * demo does not kill a pg_basebackup or pg_ctl half-way, so the cleanup finds a finished state.
 * Rejects with the last line the binary printed.
 */
function pgRun(home: ServerHome, name: string, args: string[], cwd: string): Promise<void> {
  const [command, argv] = asServerUser(home, binary(name), args);
  // Under another user, our HOME would be its libpq's: it looks for ~/.pgpass there.
  const { HOME: _ours, ...env } = process.env;
  const child = spawn(command, argv, {
    cwd,
    env: { ...(home.user ? env : process.env), LC_ALL: 'C' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: READY_MS,
  });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  return new Promise((resolve, reject) => {
    child.once('error', (err) => reject(new ServiceError(`replication: ${name}: ${err.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) return resolve();
      const last = output.trim().split('\n').at(-1) || `exit ${code ?? signal}`;
      reject(new ServiceError(`replication: ${name} ${args[0] ?? ''} failed: ${last}`));
    });
  });
}

function appendConf(dataDir: string, settings: Record<string, string | number>): void {
  const lines = Object.entries(settings).map(([k, v]) =>
    typeof v === 'number' ? `${k} = ${v}` : `${k} = '${v}'`,
  );
  const file = join(dataDir, 'postgresql.conf');
  writeFileSync(file, `${readFileSync(file, 'utf8')}\n# wirenotes\n${lines.join('\n')}\n`);
}

export function logFile(dataDir: string): string {
  return `${dataDir}.log`;
}

/** True when the data directory's postmaster.pid names a live postgres process. */
function postmasterRunning(dataDir: string): boolean {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dataDir);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `pg_ctl start -w`: true once a server it started accepts connections, false if one ran. */
export async function startServer(home: ServerHome, dataDir: string): Promise<boolean> {
  if (postmasterRunning(dataDir)) return false;
  try {
    await pgRun(
      home,
      'pg_ctl',
      ['start', '-D', dataDir, '-l', logFile(dataDir), '-w', '-t', '30'],
      dirname(dataDir),
    );
  } catch (err) {
    throw new ServiceError(
      `${(err as Error).message}; log ${logFile(dataDir)}:\n${tail(logFile(dataDir), 5)}`,
    );
  }
  return true;
}

/** `pg_ctl stop` (fast by default: sessions are ended, a shutdown checkpoint is written). */
export async function stopServer(
  home: ServerHome,
  dataDir: string,
  mode: 'fast' | 'immediate' = 'fast',
): Promise<boolean> {
  if (!postmasterRunning(dataDir)) return false;
  await pgRun(
    home,
    'pg_ctl',
    ['stop', '-D', dataDir, '-m', mode, '-w', '-t', '30'],
    dirname(dataDir),
  );
  return true;
}

/** A new primary: initdb (trust on loopback, replication allowed by initdb's default pg_hba). */
async function initPrimary(layout: ReplicationLayout, dataDir: string): Promise<void> {
  const tmp = `${dataDir}.init-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  await pgRun(
    layout.home,
    'initdb',
    ['-D', tmp, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'],
    layout.root,
  );
  appendConf(tmp, {
    port: layout.primary.port,
    listen_addresses: layout.primary.host,
    unix_socket_directories: layout.root,
    cluster_name: 'primary',
  });
  // A concurrent `up` that lost the race finds the directory made and keeps the winner's.
  try {
    renameSync(tmp, dataDir);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
}

interface StandbySpec {
  /** Data directory; its parent must exist and belong to the server user. */
  dataDir: string;
  port: number;
  /** Slot name and application_name (cluster_name) in one. */
  name: string;
}

/**
 * A standby's data directory from `primary`: pg_basebackup -R (standby.signal + primary_conninfo)
 * with a new physical slot (-C -S). Its name is its cluster_name, so the primary's
 * pg_stat_replication shows it as application_name and synchronous_standby_names can name it.
 */
async function baseBackup(layout: ReplicationLayout, spec: StandbySpec, host: string) {
  const { primary } = layout;
  await pgRun(
    layout.home,
    'pg_basebackup',
    [
      '-h',
      primary.host,
      '-p',
      String(primary.port),
      '-U',
      'postgres',
      '-D',
      spec.dataDir,
      '-R',
      '-C',
      '-S',
      spec.name,
      '-X',
      'stream',
      '--no-sync',
      '--checkpoint=fast',
    ],
    dirname(spec.dataDir),
  );
  appendConf(spec.dataDir, { port: spec.port, listen_addresses: host, cluster_name: spec.name });
}

/** A streaming standby of `primary` (see baseBackup), started with pg_ctl: a demo's throwaway. */
export async function makeStandby(layout: ReplicationLayout, spec: StandbySpec): Promise<void> {
  await baseBackup(layout, spec, layout.primary.host);
  await startServer(layout.home, spec.dataDir);
}

/** Runs `sql` on `url` with a short-lived client. */
async function query<R extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The state of standby `name` in the primary's pg_stat_replication, or undefined if absent. */
async function standbyState(primaryUrl: string, name: string): Promise<string | undefined> {
  const rows = await query<{ state: string }>(
    primaryUrl,
    'SELECT state FROM pg_stat_replication WHERE application_name = $1',
    [name],
  );
  return rows[0]?.state;
}

/** Why the pair is not ready right now (undefined when the standby is streaming). */
async function replicationProblem(layout = replicationLayout()): Promise<string | undefined> {
  try {
    const [rec] = await query<{ r: boolean; name: string }>(
      layout.standby.url,
      "SELECT pg_is_in_recovery() AS r, current_setting('cluster_name') AS name",
    );
    if (!rec?.r)
      return `${layout.standby.host}:${layout.standby.port} is not a standby (not in recovery)`;
    const state = await standbyState(layout.primary.url, rec.name);
    return state === 'streaming'
      ? undefined
      : `standby "${rec.name}" is ${state ?? 'not connected'} in pg_stat_replication of ${layout.primary.host}:${layout.primary.port}`;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return e.code && !e.message.includes(e.code) ? `${e.code}: ${e.message}` : e.message;
  }
}

function replicationAddress(layout = replicationLayout()): string {
  return `${layout.primary.host}:${layout.primary.port},${layout.standby.host}:${layout.standby.port}`;
}

function loopback(e: PgEndpoint, variable: string): void {
  if (!['127.0.0.1', 'localhost', '::1'].includes(e.host)) {
    throw new ServiceError(
      `replication: ${variable} points at ${e.host}, which this command cannot start; start that pair yourself or use a 127.0.0.1 URL`,
    );
  }
}

/** `postgres -D dir` in the foreground, as the server user (setpriv execs: the pid is its own). */
function serverCommand(home: ServerHome, dataDir: string, e: PgEndpoint): [string, string[]] {
  const args = ['-D', dataDir, '-p', String(e.port), '-c', `listen_addresses=${e.host}`];
  return asServerUser(home, binary('postgres'), args);
}

const UNITS = { primary: 'replication-primary', standby: 'replication-standby' };

/**
 * `npm run services -- up replication`: initdb and pg_basebackup on first use (data kept across
 * `down`), then one `postgres` process per server. Ready when the standby is streaming.
 */
export const replication: NativeLauncher = {
  name: 'replication',
  summary: 'a PostgreSQL 15 primary and its streaming standby (PG_PRIMARY_URL, PG_STANDBY_URL)',
  address: () => replicationAddress(),
  notReady: () => replicationProblem(),
  readyMs: READY_MS,
  async start(ctx) {
    const layout = replicationLayout(ctx.dir);
    loopback(layout.primary, 'PG_PRIMARY_URL');
    loopback(layout.standby, 'PG_STANDBY_URL');
    const primary = join(layout.root, 'primary');
    const standby = join(layout.root, 'standby');
    const spawn = async (unit: string, dataDir: string, e: PgEndpoint) => {
      if (ctx.pid(unit) !== undefined || postmasterRunning(dataDir)) return;
      ctx.report(`replication: starting ${unit} on ${e.host}:${e.port}`);
      const [command, args] = serverCommand(layout.home, dataDir, e);
      await ctx.spawn(command, args, { unit, marker: dataDir, cwd: layout.root });
    };
    if (!existsSync(primary)) {
      ctx.report(`replication: initdb ${primary}`);
      await initPrimary(layout, primary);
    }
    await spawn(UNITS.primary, primary, layout.primary);
    // A standby that finds no primary retries only after wal_retrieve_retry_interval (5 s).
    const answers = () =>
      query(layout.primary.url, 'SELECT 1').then(
        () => true,
        () => false,
      );
    if (!(await waitFor(answers, READY_MS))) {
      throw new ServiceError(`replication: the primary did not answer within ${READY_MS / 1000} s`);
    }
    if (!existsSync(standby)) {
      ctx.report(`replication: pg_basebackup -R -C -S ${STANDBY_NAME} into ${standby}`);
      const tmp = `${standby}.init-${process.pid}`;
      rmSync(tmp, { recursive: true, force: true });
      // A slot left by a standby folder removed by hand would refuse -C.
      await query(
        layout.primary.url,
        'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active',
        [STANDBY_NAME],
      );
      const spec = { dataDir: tmp, port: layout.standby.port, name: STANDBY_NAME };
      await baseBackup(layout, spec, layout.standby.host);
      renameSync(tmp, standby);
    }
    await spawn(UNITS.standby, standby, layout.standby);
  },
  async stop(ctx, unit, pid) {
    // SIGINT is PostgreSQL's fast shutdown: sessions are ended, a shutdown checkpoint written.
    const server = unit === UNITS.primary ? 'primary' : 'standby';
    const dataDir = join(replicationLayout(ctx.dir).root, server);
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      return;
    }
    if (await waitFor(() => !alive(pid, dataDir), 20_000)) return;
    process.kill(pid, 'SIGKILL');
  },
};

/** A pair of its own for the tests and the bench, on scratch state and free ports. */
export function scratchReplication(prefix: string): Promise<Scratch> {
  const url = (port: number) => `postgres://postgres@127.0.0.1:${port}/postgres`;
  return scratchServers(prefix, { PG_PRIMARY_URL: url, PG_STANDBY_URL: url });
}
