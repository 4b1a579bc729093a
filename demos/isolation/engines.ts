// The two database engines behind one small interface: a dedicated connection per session,
// BEGIN at a level, a statement's outcome (rows, affected count, or the error code), and the
// server's own word on whether a session is waiting for a lock. No pools anywhere. One Engine is
// one server: PostgreSQL 15 and 17 are two engines of the same kind.

import mysql from 'mysql2/promise';
import pg from 'pg';
import type { ServiceName } from '../kit/endpoints.ts';

export type Kind = 'postgres' | 'mariadb';
export type Level = 'READ UNCOMMITTED' | 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';
export const LEVELS: Level[] = [
  'READ UNCOMMITTED',
  'READ COMMITTED',
  'REPEATABLE READ',
  'SERIALIZABLE',
];
export const SHORT: Record<Level, string> = {
  'READ UNCOMMITTED': 'RU',
  'READ COMMITTED': 'RC',
  'REPEATABLE READ': 'RR',
  SERIALIZABLE: 'SER',
};

export type Row = { id: number; value: number };

/** What one statement did. */
export type Outcome =
  | { kind: 'rows'; rows: Row[] }
  | { kind: 'done'; tag: string; count: number }
  | { kind: 'error'; code: string; sqlState?: string; message: string; trxGone: boolean };

export interface Session {
  readonly name: string;
  /** A statement on this connection; errors become outcomes, never rejections. */
  run(sql: string): Promise<Outcome>;
  /** A query whose result rows are returned as they are (settings, catalog reads); throws. */
  raw<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Ends whatever transaction is open, ignoring errors. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export interface Engine {
  kind: Kind;
  /** The service this server is (`postgres`, `postgres17`, …): its key in the stack line. */
  service: ServiceName;
  /** The server's version as it reports itself: `15.20`, `11.4.5`. */
  version: string;
  /** The kind and the version a reader compares: `PostgreSQL 15`, `MariaDB 10.11`. */
  label: string;
  /** The statements that start a transaction at `level`, in this engine's dialect. */
  begin(level: Level): string[];
  /** Errors an application retries: the whole transaction is gone and may be run again. */
  retryable(code: string): boolean;
  connect(name: string): Promise<Session>;
  /** Asks the server (not a timer) whether `session` is waiting for a lock right now. */
  waiting(session: Session): Promise<boolean>;
  /** The admin connection: table setup, final state, settings. */
  admin: Session;
  /**
   * Ends every session connection at once from the admin connection, even one waiting for a lock
   * (an interrupted run), so that their transactions roll back and DROP TABLE need not wait.
   */
  endSessions(): Promise<void>;
  close(): Promise<void>;
}

/** Result rows by id: the tests' SELECTs carry no ORDER BY, which keeps the timelines short. */
function asRows(rows: unknown[]): Row[] {
  return rows
    .map((r) => {
      const o = r as Record<string, unknown>;
      return { id: Number(o.id), value: Number(o.value) };
    })
    .sort((a, b) => a.id - b.id);
}

// ---------------------------------------------------------------- PostgreSQL

class PgSession implements Session {
  constructor(
    readonly name: string,
    readonly client: pg.Client,
    readonly pid: number,
  ) {}
  async run(sql: string): Promise<Outcome> {
    try {
      const r = await this.client.query(sql);
      if (r.command === 'SELECT') return { kind: 'rows', rows: asRows(r.rows) };
      return { kind: 'done', tag: r.command, count: r.rowCount ?? 0 };
    } catch (err) {
      const e = err as { code?: string; message?: string };
      // After an error PostgreSQL keeps the transaction open but aborted, until ROLLBACK/COMMIT.
      return {
        kind: 'error',
        code: e.code ?? '?',
        message: e.message ?? String(err),
        trxGone: false,
      };
    }
  }
  async raw<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.client.query(sql, params)).rows as T[];
  }
  async reset(): Promise<void> {
    await this.client.query('ROLLBACK').catch(() => undefined);
  }
  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

async function pgSession(url: string, name: string): Promise<PgSession> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  await client.connect();
  // A lock wait never outlives this, so a wrong interleaving fails instead of hanging.
  await client.query("SET lock_timeout = '4s'");
  const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
  return new PgSession(name, client, pid);
}

export async function postgresEngine(url: string, service: ServiceName): Promise<Engine> {
  const admin = await pgSession(url, 'admin');
  const sessions: Session[] = [];
  const [v] = await admin.raw<{ server_version: string }>('SHOW server_version');
  const version = (v?.server_version ?? '?').split(' ')[0] as string;
  return {
    kind: 'postgres',
    service,
    version,
    label: `PostgreSQL ${version.split('.')[0]}`,
    admin,
    begin: (level) => [`BEGIN ISOLATION LEVEL ${level}`],
    retryable: (code) => code === '40001' || code === '40P01',
    async connect(name) {
      const s = await pgSession(url, name);
      sessions.push(s);
      return s;
    },
    async waiting(session) {
      // pg_locks reads the lock manager itself: a waiter's lock is granted before the holder's
      // COMMIT returns, so this never reports a wait that has already ended.
      const rows = await admin.raw<{ n: string }>(
        'SELECT count(*) AS n FROM pg_locks WHERE pid = $1 AND NOT granted',
        [(session as PgSession).pid],
      );
      return Number(rows[0]?.n) > 0;
    },
    async endSessions() {
      const pids = sessions.map((s) => (s as PgSession).pid);
      await admin.raw('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
      await Promise.all(sessions.map((s) => s.close()));
    },
    async close() {
      await Promise.all([...sessions, admin].map((s) => s.close()));
    },
  };
}

// ---------------------------------------------------------------- MariaDB

/** Errors after which InnoDB has rolled back the whole transaction, not just the statement. */
const MARIADB_TRX_GONE = new Set(['1213', '1020']);

class MariaSession implements Session {
  constructor(
    readonly name: string,
    readonly conn: mysql.Connection,
  ) {}
  get threadId(): number {
    return this.conn.threadId;
  }
  async run(sql: string): Promise<Outcome> {
    try {
      const [result] = await this.conn.query(sql);
      if (Array.isArray(result)) return { kind: 'rows', rows: asRows(result) };
      const header = result as mysql.ResultSetHeader;
      const tag = (/^\s*(\w+)/.exec(sql)?.[1] ?? '').toUpperCase();
      return { kind: 'done', tag, count: header.affectedRows ?? 0 };
    } catch (err) {
      const e = err as { errno?: number; sqlState?: string; message?: string };
      const code = e.errno !== undefined ? String(e.errno) : '?';
      let trxGone = false;
      if (MARIADB_TRX_GONE.has(code)) {
        // Observed, not assumed: ask the session whether its transaction survived.
        const [r] = await this.conn.query('SELECT @@in_transaction AS t');
        trxGone = Number((r as { t: number }[])[0]?.t) === 0;
      }
      return {
        kind: 'error',
        code,
        sqlState: e.sqlState,
        message: e.message ?? String(err),
        trxGone,
      };
    }
  }
  async raw<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const [rows] = await this.conn.query(sql, params);
    return rows as T[];
  }
  async reset(): Promise<void> {
    await this.conn.query('ROLLBACK').catch(() => undefined);
  }
  async close(): Promise<void> {
    await this.conn.end().catch(() => this.conn.destroy());
  }
}

async function mariaSession(url: string, name: string): Promise<MariaSession> {
  const conn = await mysql.createConnection({ uri: url, connectTimeout: 3000 });
  conn.on('error', () => undefined);
  await conn.query('SET SESSION innodb_lock_wait_timeout = 4');
  return new MariaSession(name, conn);
}

/** The transaction blocks of SHOW ENGINE INNODB STATUS that are waiting for a lock. */
export function innodbWaitingThreads(status: string): number[] {
  const ids: number[] = [];
  for (const block of status.split('---TRANSACTION ').slice(1)) {
    const id = /(?:MariaDB|MySQL) thread id (\d+)/.exec(block)?.[1];
    if (id && /^LOCK WAIT |WAITING .* FOR THIS LOCK TO BE GRANTED/m.test(block)) {
      ids.push(Number(id));
    }
  }
  return ids;
}

export async function mariadbEngine(url: string, service: ServiceName): Promise<Engine> {
  const admin = await mariaSession(url, 'admin');
  const sessions: Session[] = [];
  const [v] = await admin.raw<{ version: string }>('SELECT VERSION() AS version');
  const version = (v?.version ?? '?').split('-')[0] as string;
  const waitingNow = async (threadId: number) => {
    const rows = await admin.raw<{ Status: string }>('SHOW ENGINE INNODB STATUS');
    return innodbWaitingThreads(rows[0]?.Status ?? '').includes(threadId);
  };
  return {
    kind: 'mariadb',
    service,
    version,
    label: `MariaDB ${version.split('.').slice(0, 2).join('.')}`,
    admin,
    // SET TRANSACTION (without SESSION) applies to the next transaction only.
    begin: (level) => [`SET TRANSACTION ISOLATION LEVEL ${level}`, 'START TRANSACTION'],
    retryable: (code) => code === '1213' || code === '1020',
    async connect(name) {
      const s = await mariaSession(url, name);
      sessions.push(s);
      return s;
    },
    async waiting(session) {
      // The status is live; two readings that agree guard against catching a waiter in the
      // instant between its lock being granted and its thread clearing the wait.
      const id = (session as MariaSession).threadId;
      if (!(await waitingNow(id))) return false;
      await new Promise((r) => setTimeout(r, 15));
      return waitingNow(id);
    },
    async endSessions() {
      for (const s of sessions) {
        await admin.run(`KILL ${(s as MariaSession).threadId}`);
        (s as MariaSession).conn.destroy();
      }
    },
    async close() {
      await Promise.all([...sessions, admin].map((s) => s.close()));
    },
  };
}
