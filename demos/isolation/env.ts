// What the steps share: every configured database server that answers (PostgreSQL 15 and 17,
// MariaDB 10.11 and 11.4), each with three dedicated session connections and one table named
// for this run, and the measured runs (each test at each level measured once per server).
// Tables left by runs that died (Ctrl-C twice, kill -9) are recognised by their runName and
// dropped when the next run opens the same server.

import type { SetupInfo } from '../kit/define.ts';
import { type ServiceName, serviceEnv } from '../kit/endpoints.ts';
import { isStale, runName } from '../kit/names.ts';
import {
  type Engine,
  type Kind,
  type Level,
  mariadbEngine,
  postgresEngine,
  type Session,
} from './engines.ts';
import { type Run, runScenario, type Scenario, type SessionName } from './runner.ts';

/** MariaDB's innodb_snapshot_isolation for a run: the server's default, or set in the session. */
export type Snapshot = 'default' | 'ON' | 'OFF';

/** A server the demo can measure: the service that locates it and the dialect it speaks. */
export interface Target {
  service: ServiceName;
  kind: Kind;
  url: string;
}

/** Every server the demo knows, in the order the transcript shows them. */
export function targets(): Target[] {
  return [
    { service: 'postgres', kind: 'postgres', url: serviceEnv('postgres').PG_URL },
    { service: 'postgres17', kind: 'postgres', url: serviceEnv('postgres17').PG17_URL },
    { service: 'mariadb', kind: 'mariadb', url: serviceEnv('mariadb').MARIADB_URL },
    { service: 'mariadb114', kind: 'mariadb', url: serviceEnv('mariadb114').MARIADB114_URL },
  ];
}

export interface Server {
  engine: Engine;
  /** This run's table (a runName), dropped at closeEnv. */
  table: string;
  sessions: Record<SessionName, Session>;
  /** innodb_snapshot_isolation as the server has it; undefined where there is no such variable. */
  snapshot: string | undefined;
}

export interface Env {
  /** The servers that answered, in targets() order. */
  servers: Server[];
  /** Tables of dead runs dropped while opening, per server label. */
  swept: { label: string; count: number }[];
  /** One test at one level on one server; measured once, then remembered. */
  measure(server: Server, sc: Scenario, level: Level, snapshot?: Snapshot): Promise<Run>;
}

const TABLE_PATTERN = 'wn\\_isolation\\_%';

/** Drops the tables of dead runs on this server; returns how many. */
async function sweep(e: Engine): Promise<number> {
  const names =
    e.kind === 'postgres'
      ? (
          await e.admin.raw<{ name: string }>(
            'SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE $1',
            [TABLE_PATTERN],
          )
        ).map((r) => r.name)
      : (await e.admin.raw<Record<string, string>>(`SHOW TABLES LIKE '${TABLE_PATTERN}'`)).map(
          (r) => Object.values(r)[0] as string,
        );
  const stale = names.filter((n) => isStale(n, 'isolation'));
  for (const n of stale) await e.admin.raw(`DROP TABLE IF EXISTS ${n}`);
  return stale.length;
}

async function openServer(t: Target): Promise<{ server: Server; swept: number }> {
  const e = await (t.kind === 'postgres' ? postgresEngine : mariadbEngine)(t.url, t.service).catch(
    (err: Error) => {
      const where = new URL(t.url);
      throw new Error(`${t.service} at ${where.hostname}:${where.port}: ${err.message}`);
    },
  );
  try {
    const swept = await sweep(e);
    const table = runName('isolation');
    const created = await e.admin.run(
      `CREATE TABLE ${table} (id int PRIMARY KEY, value int)${t.kind === 'mariadb' ? ' ENGINE=InnoDB' : ''}`,
    );
    if (created.kind === 'error') throw new Error(`CREATE TABLE: ${created.message}`);
    const [A, B, C] = await Promise.all(['A', 'B', 'C'].map((n) => e.connect(n)));
    const snapshot = t.kind === 'mariadb' ? await readSnapshotSetting(e) : undefined;
    const sessions = { A, B, C } as Record<SessionName, Session>;
    return { server: { engine: e, table, sessions, snapshot }, swept };
  } catch (err) {
    await e.close();
    throw err;
  }
}

/** Opens `wanted` (each server once); `uses` hears each server's version as it reports it. */
export async function openServers(
  wanted: Target[],
  uses: (part: string, version: string) => void,
): Promise<Env> {
  const servers: Server[] = [];
  const swept: Env['swept'] = [];
  const cache = new Map<string, Promise<Run>>();
  /** One run at a time per server: its sessions and table are shared. */
  const last = new Map<Server, Promise<unknown>>();
  const env: Env = {
    servers,
    swept,
    measure(server, sc, level, snapshot = 'default') {
      const key = `${server.engine.service}|${sc.id}|${level}|${snapshot}`;
      let run = cache.get(key);
      if (!run) {
        const setup =
          server.snapshot === undefined
            ? []
            : [
                `SET SESSION innodb_snapshot_isolation = ${snapshot === 'default' ? 'DEFAULT' : snapshot}`,
              ];
        run = (last.get(server) ?? Promise.resolve())
          .catch(() => undefined)
          .then(() =>
            runScenario(server.engine, sc, level, {
              table: server.table,
              sessions: server.sessions,
              sessionSetup: setup,
            }),
          );
        last.set(server, run);
        cache.set(key, run);
      }
      return run;
    },
  };
  try {
    for (const t of wanted) {
      const { server, swept: count } = await openServer(t);
      servers.push(server);
      uses(t.service, server.engine.version);
      if (count) swept.push({ label: server.engine.label, count });
    }
  } catch (err) {
    await closeEnv(env);
    throw err;
  }
  return env;
}

/** The demo's setup: every server whose service answered the kit's probe. */
export function openEnv(info: SetupInfo): Promise<Env> {
  return openServers(
    targets().filter((t) => info.available.has(t.service)),
    info.uses,
  );
}

const closed = new WeakSet<Env>();

/**
 * Ends every session first (on Ctrl-C a statement may still wait for a lock, and its transaction
 * holds what DROP TABLE needs), then drops this run's table on each server.
 */
export async function closeEnv(env: Env): Promise<void> {
  // Once: an interrupt closes it while the run is still going, and the run's own end again.
  if (closed.has(env)) return;
  closed.add(env);
  await Promise.all(
    env.servers.map(async (s) => {
      await s.engine.endSessions();
      await s.engine.admin.run(`DROP TABLE IF EXISTS ${s.table}`);
      await s.engine.close();
    }),
  );
}

async function readSnapshotSetting(e: Engine): Promise<string | undefined> {
  const rows = await e.admin.raw("SHOW GLOBAL VARIABLES LIKE 'innodb_snapshot_isolation'");
  const value = rows[0]?.Value;
  return typeof value === 'string' ? value : undefined;
}
