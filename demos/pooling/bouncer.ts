// A PgBouncer of the run's own in front of its throwaway cluster: its ini, users file, log and
// pidfile in the cluster's folder (so the kit's sweep and removal stop it too), run as the
// server user (PgBouncer refuses root), on a free loopback port. The admin console is the
// virtual database `pgbouncer`, where SHOW POOLS and SET work.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { portOpen, tail } from '../../services/proc.ts';
import { freePort } from '../kit/net.ts';
import type { Cluster } from '../kit/pg-cluster.ts';
import { findBinary } from '../kit/probes.ts';
import { waitFor } from '../kit/wait.ts';

const HOST = '127.0.0.1';

/** One [databases] entry: the name clients connect to and where it leads. */
export interface PoolEntry {
  name: string;
  port: number;
  mode?: 'session' | 'transaction' | 'statement';
  size?: number;
  /** The server's database and role (default postgres / app). */
  dbname?: string;
  user?: string;
}

export interface Bouncer {
  port: number;
  version: string;
  /** A client of pool `database` as `user` (app by default). */
  client(database: string, user?: string): Promise<pg.Client>;
  /** One admin-console command (SHOW POOLS, SET …, RECONNECT …) as rows. */
  admin<R extends pg.QueryResultRow = Record<string, unknown>>(command: string): Promise<R[]>;
  /** Rewrites [databases] and has PgBouncer reload it. */
  setEntries(entries: PoolEntry[]): Promise<void>;
  ini: string;
  /** Its log file (a step reads what PgBouncer says about a packet it dropped). */
  log: string;
}

/**
 * A pgbouncer.ini written by someone else (a lab's learner): its [databases] lines as written and
 * its [pgbouncer] settings. The run still sets where PgBouncer listens, logs and finds its users.
 */
export interface OwnIni {
  databases: string;
  settings: Record<string, string>;
}

/** The [pgbouncer] keys the run sets itself: an OwnIni may not. */
export const RUN_KEYS = [
  'listen_addr',
  'listen_port',
  'unix_socket_dir',
  'auth_type',
  'auth_file',
  'admin_users',
  'logfile',
  'pidfile',
];

/** A pool's row in SHOW POOLS. */
export interface PoolRow {
  database: string;
  cl_active: string;
  cl_waiting: string;
  sv_active: string;
  sv_idle: string;
  sv_used: string;
  sv_login: string;
  maxwait: string;
  maxwait_us: string;
}

function databases(entries: PoolEntry[]): string {
  return entries
    .map((e) => {
      const parts = [
        `host=${HOST}`,
        `port=${e.port}`,
        `dbname=${e.dbname ?? 'postgres'}`,
        `user=${e.user ?? 'app'}`,
      ];
      if (e.size) parts.push(`pool_size=${e.size}`);
      if (e.mode) parts.push(`pool_mode=${e.mode}`);
      return `${e.name} = ${parts.join(' ')}`;
    })
    .join('\n');
}

function iniText(dir: string, port: number, entries: PoolEntry[], own?: OwnIni): string {
  const settings = {
    pool_mode: 'transaction',
    default_pool_size: '5',
    max_client_conn: '500',
    ...own?.settings,
  };
  return `[databases]
${[databases(entries), own?.databases ?? ''].filter(Boolean).join('\n')}

[pgbouncer]
listen_addr = ${HOST}
listen_port = ${port}
unix_socket_dir =
auth_type = trust
auth_file = ${join(dir, 'users.txt')}
admin_users = postgres
${Object.entries(settings)
  .map(([k, v]) => `${k} = ${v}`)
  .join('\n')}
logfile = ${join(dir, 'pgbouncer.log')}
pidfile = ${join(dir, 'pgbouncer.pid')}
`;
}

async function session(port: number, database: string, user: string): Promise<pg.Client> {
  const c = new pg.Client({ host: HOST, port, user, database, connectionTimeoutMillis: 10_000 });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

/**
 * Starts PgBouncer for `cluster` with these pools (and the [databases] lines and settings of `own`,
 * a lab's file); it stops with the cluster's removal.
 */
export async function startBouncer(
  cluster: Cluster,
  entries: PoolEntry[],
  own?: OwnIni,
): Promise<Bouncer> {
  const binary = findBinary('pgbouncer');
  if (!binary) throw new Error('pgbouncer is not on PATH or in /usr/sbin');
  const ini = join(cluster.dir, 'pgbouncer.ini');
  const log = join(cluster.dir, 'pgbouncer.log');
  writeFileSync(join(cluster.dir, 'users.txt'), '"app" ""\n"postgres" ""\n');
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort(HOST);
    writeFileSync(ini, iniText(cluster.dir, port, entries, own));
    // -d: it daemonizes once it listens, so a bind failure is its exit status. A config it
    // refuses is an ERROR line on stderr before the closing FATAL: kept to say which setting.
    const stderr = `${ini}.err`;
    const started = await cluster
      .run('/bin/sh', ['-c', 'exec "$0" -d "$1" 2>"$2"', binary, ini, stderr])
      .then(
        () => true,
        (err: Error) => {
          if (attempt < 3 && /Address already in use/.test(tail(log, 3))) return false;
          const said = (existsSync(stderr) ? readFileSync(stderr, 'utf8') : '')
            .split('\n')
            .find((l) => /\b(ERROR|FATAL)\b/.test(l))
            ?.replace(/^.*?\b(ERROR|FATAL) /, '')
            .replace(/ in configuration \(.*\)$/, '');
          throw new Error(
            said ? `pgbouncer: ${said}` : `${err.message}; pgbouncer log:\n${tail(log, 5)}`,
          );
        },
      );
    if (started) break;
  }
  await waitFor(`pgbouncer to accept connections on ${HOST}:${port}`, async () =>
    (await portOpen(HOST, port)) ? true : undefined,
  );
  const admin = async <R extends pg.QueryResultRow>(command: string) => {
    const c = await session(port, 'pgbouncer', 'postgres');
    try {
      return (await c.query<R>(command)).rows;
    } finally {
      await c.end().catch(() => undefined);
    }
  };
  const version = String(
    (await admin<{ version: string }>('SHOW VERSION'))[0]?.version ?? 'unknown',
  ).replace(/^PgBouncer /, '');
  return {
    port,
    version,
    ini,
    log,
    client: (database, user = 'app') => session(port, database, user),
    admin,
    setEntries: async (next) => {
      writeFileSync(ini, iniText(cluster.dir, port, next, own));
      await admin('RELOAD');
    },
  };
}
