// The shared state of one demo run: both engines, three dedicated session connections on each,
// one table per engine named for this run, and the measured runs (each measured once).

import { endpoints, runSuffix } from '../kit/services.ts';
import {
  type Engine,
  type EngineId,
  type Level,
  mariadbEngine,
  postgresEngine,
  type Session,
} from './engines.ts';
import { type Run, runScenario, type SessionName } from './runner.ts';
import { scenario } from './scenarios.ts';

/** MariaDB's innodb_snapshot_isolation for a run: the server's default, or forced in the session. */
export type Snapshot = 'default' | 'ON' | 'OFF';

export interface Lab {
  engines: Engine[];
  engine(id: EngineId): Engine;
  /** The server's innodb_snapshot_isolation, or undefined when the variable does not exist. */
  snapshotSetting: string | undefined;
  measure(engine: EngineId, scenarioId: string, level: Level, snapshot?: Snapshot): Promise<Run>;
  /** This run's table and the dedicated session connections, for steps that drive them directly. */
  context(engine: EngineId): {
    engine: Engine;
    table: string;
    sessions: Record<SessionName, Session>;
  };
  close(): Promise<void>;
}

export interface LabOptions {
  pgUrl?: string;
  mariadbUrl?: string;
  only?: EngineId[];
}

export async function openLab(o: LabOptions = {}): Promise<Lab> {
  const wanted = o.only ?? ['postgres', 'mariadb'];
  const engines: Engine[] = [];
  const tables = new Map<EngineId, string>();
  const sessions = new Map<EngineId, Record<SessionName, Session>>();
  const cache = new Map<string, Promise<Run>>();
  let snapshotSetting: string | undefined;
  const suffix = runSuffix();
  const close = async () => {
    for (const e of engines) {
      const table = tables.get(e.id);
      if (table) await e.admin.run(`DROP TABLE IF EXISTS ${table}`);
      await e.close();
    }
  };
  try {
    for (const id of wanted) {
      const url =
        id === 'postgres' ? (o.pgUrl ?? endpoints.pgUrl) : (o.mariadbUrl ?? endpoints.mariadbUrl);
      const e = await (id === 'postgres' ? postgresEngine(url) : mariadbEngine(url)).catch(
        (err: Error) => {
          const where = new URL(url);
          throw new Error(`${id} at ${where.hostname}:${where.port}: ${err.message}`);
        },
      );
      engines.push(e);
      const table = `isolation_${suffix}`;
      const engineClause = id === 'mariadb' ? ' ENGINE=InnoDB' : '';
      const created = await e.admin.run(
        `CREATE TABLE ${table} (id int PRIMARY KEY, value int)${engineClause}`,
      );
      if (created.kind === 'error') throw new Error(`CREATE TABLE: ${created.message}`);
      tables.set(id, table);
      const [A, B, C] = await Promise.all(['A', 'B', 'C'].map((n) => e.connect(n)));
      sessions.set(id, { A, B, C } as Record<SessionName, Session>);
      if (id === 'mariadb') {
        snapshotSetting = await readSnapshotSetting(e);
      }
    }
  } catch (err) {
    await close();
    throw err;
  }
  const engine = (id: EngineId) => {
    const e = engines.find((x) => x.id === id);
    if (!e) throw new Error(`engine ${id} is not open`);
    return e;
  };
  return {
    engines,
    engine,
    get snapshotSetting() {
      return snapshotSetting;
    },
    measure(id, scenarioId, level, snapshot = 'default') {
      const key = `${id}|${scenarioId}|${level}|${snapshot}`;
      let run = cache.get(key);
      if (!run) {
        const e = engine(id);
        const setup =
          id === 'mariadb' && snapshotSetting !== undefined
            ? [
                `SET SESSION innodb_snapshot_isolation = ${snapshot === 'default' ? 'DEFAULT' : snapshot}`,
              ]
            : [];
        // One run at a time per engine: the sessions and the table are shared.
        const previous = [...cache.values()].at(-1) ?? Promise.resolve();
        run = previous
          .catch(() => undefined)
          .then(() =>
            runScenario(e, scenario(scenarioId), level, {
              table: tables.get(id) as string,
              sessions: sessions.get(id) as Record<SessionName, Session>,
              sessionSetup: setup,
            }),
          );
        cache.set(key, run);
      }
      return run;
    },
    context(id) {
      return {
        engine: engine(id),
        table: tables.get(id) as string,
        sessions: sessions.get(id) as Record<SessionName, Session>,
      };
    },
    close,
  };
}

async function readSnapshotSetting(e: Engine): Promise<string | undefined> {
  const rows = await e.admin.raw("SHOW GLOBAL VARIABLES LIKE 'innodb_snapshot_isolation'");
  const value = rows[0]?.Value;
  return typeof value === 'string' ? value : undefined;
}
