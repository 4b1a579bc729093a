// Step: a lock wait that reaches its bound. MariaDB's 1205 undoes the statement and leaves the
// transaction open; PostgreSQL's 55P03 aborts the whole transaction. Also the compiled-in defaults
// of the bounds, read from the server (not from its configuration, which a deployment may change).

import { type StepContext, step } from '../kit/define.ts';
import type { Kind, Outcome, Session } from './engines.ts';
import type { Env, Server } from './env.ts';
import type { Entry, SessionName } from './runner.ts';
import { describeOutcome, errorTexts, timelineFigure } from './show.ts';
import { first, fresh, isError } from './steps-refusals.ts';

/** The server's built-in defaults for the lock-wait bound (and MariaDB's rollback-on-timeout). */
async function builtInDefaults(t: StepContext, server: Server): Promise<void> {
  const { engine } = server;
  if (engine.kind === 'mariadb') {
    const rows = await engine.admin.raw<{ n: string; d: string }>(
      'SELECT VARIABLE_NAME AS n, DEFAULT_VALUE AS d FROM information_schema.SYSTEM_VARIABLES ' +
        "WHERE VARIABLE_NAME IN ('INNODB_LOCK_WAIT_TIMEOUT', 'INNODB_ROLLBACK_ON_TIMEOUT') ORDER BY n",
    );
    t.equal(
      `${engine.label}: built-in defaults innodb_lock_wait_timeout = 50 (s), innodb_rollback_on_timeout = OFF`,
      rows.map((r) => `${r.n.toLowerCase()}=${r.d}`),
      ['innodb_lock_wait_timeout=50', 'innodb_rollback_on_timeout=OFF'],
    );
  } else {
    const [row] = await engine.admin.raw<{ boot_val: string }>(
      "SELECT boot_val FROM pg_settings WHERE name = 'lock_timeout'",
    );
    t.equal(`${engine.label}: built-in default lock_timeout = 0 (no bound)`, row?.boot_val, '0');
  }
}

/** A lock wait that times out on one server: what the waiting transaction still has afterwards. */
async function lockTimeout(t: StepContext, server: Server): Promise<void> {
  const { engine, table, sessions } = server;
  const { A, B } = sessions;
  await fresh(server, [A, B]);
  const maria = engine.kind === 'mariadb';
  // The shortest bound each server accepts: MariaDB counts whole seconds, PostgreSQL milliseconds.
  const bound = maria ? 'SET SESSION innodb_lock_wait_timeout = 1' : "SET lock_timeout = '100ms'";
  const begin = (s: Session) =>
    engine.begin('READ COMMITTED').map((sql): [Session, string] => [s, sql]);
  const script: [Session, string][] = [
    ...begin(A),
    [A, `UPDATE ${table} SET value = 11 WHERE id = 1`],
    [B, bound],
    ...begin(B),
    [B, `UPDATE ${table} SET value = 21 WHERE id = 2`],
    [B, `UPDATE ${table} SET value = 12 WHERE id = 1`],
  ];
  const log: Entry[] = [];
  const shown = (sql: string) => sql.replaceAll(table, 'test');
  let timedOut: Outcome | undefined;
  for (const [s, sql] of script) {
    timedOut = await s.run(sql);
    log.push({ s: s.name as SessionName, sql: shown(sql), outcome: timedOut });
  }
  const [open] = maria
    ? await B.raw<{ open: number }>('SELECT @@in_transaction AS open')
    : [{ open: -1 }];
  const own = await B.run(`SELECT * FROM ${table} WHERE id = 2`);
  const commit = await B.run('COMMIT');
  await A.run('ROLLBACK');
  await B.raw(maria ? 'SET SESSION innodb_lock_wait_timeout = 4' : "SET lock_timeout = '4s'");
  const [final] = await engine.admin.raw<{ value: number }>(
    `SELECT value FROM ${table} WHERE id = 2`,
  );
  log.push({ s: 'B', sql: 'SELECT * FROM test WHERE id = 2', outcome: own });
  log.push({ s: 'B', sql: 'COMMIT', outcome: commit });
  t.say(`${engine.label}: B updates row 2, then waits for A's lock on row 1 until the bound:`);
  t.figure(timelineFigure(log, ['A', 'B'], `${engine.label}, a lock wait that times out`));
  for (const [code, message] of errorTexts(log)) t.show(`ERROR ${code}`, message);
  if (maria) {
    const [r] = await engine.admin.raw<{ r: number }>('SELECT @@innodb_rollback_on_timeout AS r');
    t.check(
      `${engine.label}: the wait ends with 1205 "Lock wait timeout exceeded" (innodb_rollback_on_timeout=${r?.r ? 'ON' : 'OFF'})`,
      isError(timedOut, '1205', /Lock wait timeout exceeded/),
      timedOut && describeOutcome(timedOut),
    );
    t.check(
      `${engine.label}: 1205 rolls back only the statement: the transaction is still open`,
      Number(open?.open) === 1 && own.kind === 'rows' && own.rows[0]?.value === 21,
      `@@in_transaction=${open?.open}, B reads ${describeOutcome(own)}`,
    );
    t.equal(
      `${engine.label}: COMMIT after 1205 commits B's earlier UPDATE (row 2 is 21)`,
      Number(final?.value),
      21,
    );
  } else {
    t.check(
      `${engine.label}: the wait ends with 55P03 "canceling statement due to lock timeout"`,
      isError(timedOut, '55P03', /lock timeout/),
      timedOut && describeOutcome(timedOut),
    );
    t.check(
      `${engine.label}: unlike 1205, 55P03 aborts the whole transaction: B's next read is 25P02`,
      own.kind === 'error' && own.code === '25P02',
      describeOutcome(own),
    );
    t.equal(
      `${engine.label}: COMMIT after 55P03 rolls back B's earlier UPDATE (row 2 stays 20)`,
      Number(final?.value),
      20,
    );
  }
}

export const lockTimeoutStep = step<Env>(
  {
    id: 'lock-timeout',
    section: 'lock-wait-timeouts',
    title:
      'A lock wait timeout: MariaDB 1205 undoes the statement, PostgreSQL 55P03 the transaction',
  },
  async (t, env) => {
    for (const server of env.servers) await builtInDefaults(t, server);
    for (const kind of ['postgres', 'mariadb'] as Kind[]) await lockTimeout(t, first(env, kind));
  },
);
