// PostgreSQL and MariaDB: natively this command only uses the servers already running; readiness
// is a real `SELECT 1` with the same drivers the demos use (pg, mysql2).

import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { endpoints } from '../demos/kit/endpoints.ts';
import { waitFor, which } from './proc.ts';

export type Database = 'postgres' | 'mariadb';

function databaseUrl(db: Database): string {
  return db === 'postgres' ? endpoints.pgUrl : endpoints.mariadbUrl;
}

/** host:port of a database URL, for the status table. */
export function databaseAddress(db: Database): string {
  const u = new URL(databaseUrl(db));
  return `${u.hostname}:${u.port || (db === 'postgres' ? 5432 : 3306)}`;
}

/** Runs SELECT 1; resolves undefined when it works, or the reason it did not. */
export function selectOne(db: Database, timeoutMs = 2000): Promise<string | undefined> {
  return selectOneAt(databaseUrl(db), timeoutMs);
}

/** SELECT 1 at a postgres:// or mysql:// URL (the native launchers' own servers too). */
export async function selectOneAt(url: string, timeoutMs = 2000): Promise<string | undefined> {
  try {
    if (/^postgres(ql)?:/.test(url)) {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
      try {
        await client.connect();
        await client.query('SELECT 1');
      } finally {
        await client.end().catch(() => undefined);
      }
    } else {
      const conn = await mysql.createConnection({ uri: url, connectTimeout: timeoutMs });
      try {
        await conn.query('SELECT 1');
      } finally {
        await conn.end().catch(() => undefined);
      }
    }
    return undefined;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return e.code && !e.message.includes(e.code) ? `${e.code}: ${e.message}` : e.message;
  }
}

/** What to do when a database is not reachable natively. */
export function databaseHint(db: Database): string {
  return db === 'postgres'
    ? '`npm run setup` starts an installed PostgreSQL (Debian: apt-get install postgresql), or set PG_URL'
    : '`npm run setup` starts an installed MariaDB (Debian: apt-get install mariadb-server), or set MARIADB_URL';
}

/**
 * Starts the machine's own PostgreSQL or MariaDB when it is installed but not running (as the
 * Debian machines CI runs on come with them): pg_ctlcluster for every PostgreSQL cluster, mariadbd
 * as a daemon. Resolves with what it did, or undefined when there was nothing to start.
 */
export async function startInstalled(db: Database): Promise<string | undefined> {
  if ((await selectOne(db)) === undefined) return undefined;
  const local = ['127.0.0.1', 'localhost', '::1'].includes(new URL(databaseUrl(db)).hostname);
  if (!local || process.getuid?.() !== 0) return undefined;
  if (db === 'postgres') {
    if (!which('pg_ctlcluster') || !existsSync('/etc/postgresql')) return undefined;
    for (const version of readdirSync('/etc/postgresql')) {
      await quiet('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']);
    }
  } else {
    if (!existsSync('/usr/sbin/mariadbd')) return undefined;
    await quiet('start-stop-daemon', [
      '--start',
      '--oknodo',
      '--background',
      '--exec',
      '/usr/sbin/mariadbd',
    ]);
  }
  await waitFor(async () => (await selectOne(db)) === undefined, 30_000);
  return `started the machine's ${db === 'postgres' ? 'PostgreSQL' : 'MariaDB'}`;
}

/** Runs a command, ignoring its output and exit status (a cluster that is already up says so). */
function quiet(command: string, args: string[]): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore' });
    child.once('error', () => resolve());
    child.once('close', () => resolve());
  });
}
