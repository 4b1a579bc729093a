// PostgreSQL and MariaDB: natively this command only uses the servers already running; readiness
// is a real `SELECT 1` with the same drivers the demos use (pg, mysql2).

import mysql from 'mysql2/promise';
import pg from 'pg';
import { endpoints } from '../demos/kit/endpoints.ts';

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
    ? 'install and start PostgreSQL (Debian: `apt-get install postgresql`, with trust auth for ' +
        '127.0.0.1 or a password in the URL), set PG_URL=postgres://user:pass@host:5432/db, ' +
        'or use Docker (`npm run services -- up --docker postgres`)'
    : 'install and start MariaDB (Debian: `apt-get install mariadb-server`, root with an empty ' +
        'password and a database `test`), set MARIADB_URL=mysql://user:pass@host:3306/test, ' +
        'or use Docker (`npm run services -- up --docker mariadb`)';
}
