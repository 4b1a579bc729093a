// Steps: the default level and the version-dependent settings each server really has, and the
// matrices of two versions of the same engine side by side.

import { type StepContext, step } from '../kit/define.ts';
import { expectedFor, type VersionFact } from '../kit/versions.ts';
import { expectedCell, TESTS } from './anomalies.ts';
import { type Kind, LEVELS, SHORT } from './engines.ts';
import type { Env, Server } from './env.ts';
import { serverColumn, snapshotOn } from './show.ts';
import { showRun } from './steps-anomalies.ts';
import { measureMatrix } from './steps-matrix.ts';
import {
  SNAPSHOT_DEFAULT,
  TRANSACTION_ISOLATION,
  TRANSACTION_TIMEOUT,
  TX_ISOLATION,
} from './versions.ts';

/** A one-value query's answer as text, or `ERROR <code>` when the server refuses it. */
async function ask(server: Server, sql: string, column: string): Promise<string> {
  try {
    const [row] = await server.engine.admin.raw<Record<string, unknown>>(sql);
    return String(row?.[column]);
  } catch (err) {
    const e = err as { errno?: number; code?: string };
    return `ERROR ${e.errno ?? e.code}`;
  }
}

/** MariaDB's default level, read under the name the server has (the new one where it exists). */
export async function mariadbLevel(server: Server): Promise<{ name: string; level: string }> {
  const level = await ask(server, 'SELECT @@GLOBAL.transaction_isolation AS v', 'v');
  if (!level.startsWith('ERROR')) return { name: '@@transaction_isolation', level };
  return {
    name: '@@tx_isolation',
    level: await ask(server, 'SELECT @@GLOBAL.tx_isolation AS v', 'v'),
  };
}

/** The claim a version fact makes on this server: the recorded value for its version. */
function claimFact(t: StepContext, server: Server, fact: VersionFact, measured: string): void {
  const c = expectedFor(fact, server.engine.version);
  t.equal(`${fact.fact} on ${c.when}: ${c.value}`, measured, c.value);
}

async function postgresDefaults(t: StepContext, server: Server): Promise<void> {
  const level = await ask(
    server,
    'SHOW default_transaction_isolation',
    'default_transaction_isolation',
  );
  const timeout = await ask(server, 'SHOW transaction_timeout', 'transaction_timeout');
  t.block([
    `-- ${server.engine.label} (server ${server.engine.version})`,
    '> SHOW default_transaction_isolation;',
    `< ${level}`,
    '> SHOW transaction_timeout;',
    `< ${timeout}`,
  ]);
  t.equal(`${server.engine.label} starts transactions at READ COMMITTED`, level, 'read committed');
  claimFact(t, server, TRANSACTION_TIMEOUT, timeout);
}

async function mariadbDefaults(t: StepContext, server: Server): Promise<void> {
  const { admin } = server.engine;
  const newName = await ask(server, 'SELECT @@GLOBAL.transaction_isolation AS v', 'v');
  const oldName = await ask(server, 'SELECT @@GLOBAL.tx_isolation AS v', 'v');
  // Reading the old name warns on no version; setting it does on 11.4. SHOW WARNINGS describes
  // the statement before it on the same connection.
  await admin.raw('SET SESSION tx_isolation = @@GLOBAL.tx_isolation');
  const warnings = await admin.raw<{ Code: number; Message: string }>('SHOW WARNINGS');
  const deprecated = warnings.find((w) => Number(w.Code) === 1287);
  const [si] = await admin.raw<{ d: string; g: string }>(
    "SELECT DEFAULT_VALUE AS d, GLOBAL_VALUE AS g FROM information_schema.SYSTEM_VARIABLES WHERE VARIABLE_NAME = 'INNODB_SNAPSHOT_ISOLATION'",
  );
  t.block([
    `-- ${server.engine.label} (server ${server.engine.version})`,
    '> SELECT @@GLOBAL.transaction_isolation;',
    `< ${newName}`,
    '> SELECT @@GLOBAL.tx_isolation;',
    `< ${oldName}`,
    '> SET SESSION tx_isolation = @@GLOBAL.tx_isolation; SHOW WARNINGS;',
    `< ${deprecated ? `warning ${deprecated.Code}: ${deprecated.Message}` : '(no warnings)'}`,
    "> SELECT DEFAULT_VALUE, GLOBAL_VALUE … WHERE VARIABLE_NAME = 'INNODB_SNAPSHOT_ISOLATION';",
    `< ${si ? `${si.d}, ${si.g}` : '(empty set: no such variable)'}`,
  ]);
  const { name, level } = await mariadbLevel(server);
  t.equal(
    `${server.engine.label} starts transactions at REPEATABLE READ (read from ${name})`,
    level,
    'REPEATABLE-READ',
  );
  claimFact(t, server, TRANSACTION_ISOLATION, newName);
  claimFact(
    t,
    server,
    TX_ISOLATION,
    deprecated ? `warning ${deprecated.Code} (deprecated)` : 'no warning',
  );
  claimFact(t, server, SNAPSHOT_DEFAULT, si?.d ?? '(no such variable)');
}

export const defaultsStep = step<Env>(
  {
    id: 'defaults',
    section: 'default-levels',
    title: 'The default level, and the settings that differ by version, read from each server',
  },
  async (t, env) => {
    for (const { label, count } of env.swept) {
      t.say(`${label}: dropped ${count} table${count > 1 ? 's' : ''} left by runs that died`);
    }
    for (const server of env.servers) {
      if (server.engine.kind === 'postgres') await postgresDefaults(t, server);
      else await mariadbDefaults(t, server);
    }
  },
);

/** Every cell of the kind's other versions against its first server's, and against the records. */
async function compareVersions(t: StepContext, env: Env, kind: Kind): Promise<void> {
  const servers = env.servers.filter((s) => s.engine.kind === kind);
  const matrices = await Promise.all(servers.map((s) => measureMatrix(env, s)));
  const [base, ...others] = servers;
  if (!base) return;
  for (const [i, other] of others.entries()) {
    const measured: string[] = [];
    const shown: string[] = [];
    const recorded: string[] = [];
    for (const level of LEVELS) {
      for (const x of TESTS) {
        const a = matrices[0]?.get(level)?.get(x.id);
        const b = matrices[i + 1]?.get(level)?.get(x.id);
        const where = `${SHORT[level]} ${x.id}`;
        if (a !== b) {
          measured.push(where);
          shown.push(`${where}: ${a} → ${b}`);
          // The same statements on both versions, side by side: where the outcome parts.
          for (const s of [base, other]) showRun(t, s, await env.measure(s, x, level), x.sessions);
        }
        const expect = (s: Server) => expectedCell(x, s.engine, level, snapshotOn(s));
        if (expect(base) !== expect(other)) recorded.push(where);
      }
    }
    t.show(`${serverColumn(base)} → ${serverColumn(other)}`, shown.join('; ') || 'no cell differs');
    t.equal(
      `${other.engine.label} differs from ${base.engine.label} exactly where the records say: ${recorded.join(', ') || 'nowhere'}`,
      measured,
      recorded,
    );
  }
}

export const postgresVersionsStep = step<Env>(
  {
    id: 'pg-versions',
    section: 'what-depends-on-the-version',
    title: 'PostgreSQL 15 and 17: the same matrix, cell for cell',
    needs: ['postgres17'],
  },
  (t, env) => compareVersions(t, env, 'postgres'),
);

export const mariadbVersionsStep = step<Env>(
  {
    id: 'mariadb-versions',
    section: 'what-depends-on-the-version',
    title: 'MariaDB 10.11 and 11.4: the matrix cell for cell; two SERIALIZABLE cells differ',
    needs: ['mariadb114'],
  },
  (t, env) => compareVersions(t, env, 'mariadb'),
);
