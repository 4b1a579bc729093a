// Steps: how each engine refuses, MariaDB's innodb_snapshot_isolation, and the retry loop.

import { type Step, type StepContext, step } from '../kit/define.ts';
import { type EngineId, type Level, type Outcome, SHORT } from './engines.ts';
import type { Lab, Snapshot } from './lab.ts';
import { type Attempt, barrier, incrementWithRetry } from './retry.ts';
import { after, find, INITIAL_ROWS, type Run, type Statement } from './runner.ts';
import { showTimeline } from './steps-matrix.ts';
import { cell, describeOutcome, wrapTo } from './timeline.ts';

const isError = (o: Outcome | undefined, code: string, message?: RegExp): boolean =>
  o?.kind === 'error' && o.code === code && (!message || message.test(o.message));

const answer = (st: Statement | undefined) =>
  st?.outcome ? describeOutcome(st.outcome, st.sql) : st?.skipped ? 'not sent' : '(none)';

/** Two lines per statement: which test and session sent it, then what the server answered. */
function lines(run: Run, st: Statement | undefined): string[] {
  const head = `${run.engine} ${SHORT[run.level]}, ${run.scenario} · ${st?.s}: ${st?.sql}`;
  return [
    `${head}${st?.blocked ? '  ⏸ waited' : ''}`,
    ...wrapTo(`← ${answer(st)}`, 92).map((l, i) => (i ? `    ${l}` : `  ${l}`)),
  ];
}

export const refusalStep: Step<Lab> = step(
  'how-each-engine-refuses',
  'How each engine refuses: 40001 on a statement or on COMMIT, or a wait and then 1213',
  async (t, lab) => {
    const pgP4 = await lab.measure('postgres', 'P4', 'REPEATABLE READ');
    const pgPw = await lab.measure('postgres', 'PMP-write', 'REPEATABLE READ');
    const pgG2i = await lab.measure('postgres', 'G2-item', 'SERIALIZABLE');
    const myG2i = await lab.measure('mariadb', 'G2-item', 'SERIALIZABLE');
    const p4Update = find(pgP4, 'B', 'UPDATE');
    const p4Commit = find(pgP4, 'B', 'COMMIT');
    const pwSelectAfter = after(pgPw, 'B', 'DELETE');
    const g2Commit = find(pgG2i, 'B', 'COMMIT');
    const g2Before = pgG2i.timeline.filter((e) => e.s === 'B' && e.sql && e.sql !== 'COMMIT');
    const myA = find(myG2i, 'A', 'UPDATE');
    const myB = find(myG2i, 'B', 'UPDATE');
    t.block(
      [
        [pgP4, p4Update],
        [pgP4, p4Commit],
        [pgPw, pwSelectAfter],
        [pgG2i, g2Commit],
        [myG2i, myA],
        [myG2i, myB],
      ].flatMap(([run, st]) => lines(run as Run, st as Statement | undefined)),
    );
    t.say('PostgreSQL REPEATABLE READ, P4: the second writer waits, then fails on the statement.');
    t.check(
      'PostgreSQL REPEATABLE READ refuses the second UPDATE in P4 with 40001 "… concurrent update"',
      p4Update?.blocked === true &&
        isError(p4Update.outcome, '40001', /could not serialize access due to concurrent update/),
      answer(p4Update),
    );
    t.check(
      'after an error, PostgreSQL refuses the next statement with 25P02 (transaction aborted)',
      isError(pwSelectAfter?.outcome, '25P02'),
      answer(pwSelectAfter),
    );
    t.check(
      'PostgreSQL answers COMMIT of a failed transaction with ROLLBACK, not with an error',
      p4Commit?.outcome?.kind === 'done' && p4Commit.outcome.tag === 'ROLLBACK',
      answer(p4Commit),
    );
    t.say('PostgreSQL SERIALIZABLE, G2-item: every statement runs; the failure waits for COMMIT.');
    t.check(
      'PostgreSQL SERIALIZABLE runs all of G2-item and refuses the second COMMIT with 40001 (SSI)',
      g2Before.every((e) => e.outcome?.kind !== 'error' && !e.blocked) &&
        isError(g2Commit?.outcome, '40001', /read\/write dependencies among transactions/),
      answer(g2Commit),
    );
    showTimeline(t, myG2i, 'mariadb');
    t.check(
      "MariaDB SERIALIZABLE makes A's UPDATE wait: B's plain SELECT took a shared lock",
      myA?.blocked === true,
    );
    t.check(
      "MariaDB SERIALIZABLE refuses B's UPDATE with 1213 deadlock and rolls back all of B",
      isError(myB?.outcome, '1213', /Deadlock found/) &&
        myB?.outcome?.kind === 'error' &&
        myB.outcome.trxGone,
      answer(myB),
    );
    t.check(
      "MariaDB: once B is rolled back, A's UPDATE completes and A commits",
      myA?.outcome?.kind === 'done' && myG2i.committed.A === true,
    );
  },
  { id: 'refusals' },
);

const AFFECTED = ['PMP-write', 'P4', 'P4-incr', 'G-single-write', 'G2-item', 'G2'];

export const snapshotStep: Step<Lab> = step(
  'mariadb-innodb_snapshot_isolation',
  "MariaDB's innodb_snapshot_isolation: REPEATABLE READ that refuses stale writes (1020)",
  async (t, lab) => {
    const admin = lab.engine('mariadb').admin;
    const [v] = await admin.raw<{ version: string }>('SELECT VERSION() AS version');
    t.block([
      "> SHOW GLOBAL VARIABLES LIKE 'innodb_snapshot_isolation';",
      `< ${lab.snapshotSetting ?? '(empty set: this server has no such variable)'}   (server ${v?.version?.split('-')[0]})`,
    ]);
    if (lab.snapshotSetting === undefined) {
      const p4 = await lab.measure('mariadb', 'P4', 'REPEATABLE READ');
      t.check(
        'without innodb_snapshot_isolation, MariaDB REPEATABLE READ: P4 lost update occurs',
        p4.verdict.anomaly,
        p4.verdict.evidence,
      );
      return;
    }
    const runs = new Map<string, Run>();
    for (const id of AFFECTED) {
      for (const s of ['OFF', 'ON'] as Snapshot[]) {
        runs.set(`${id}|${s}`, await lab.measure('mariadb', id, 'REPEATABLE READ', s));
      }
    }
    const r = (id: string, s: string) => runs.get(`${id}|${s}`) as Run;
    t.say('Each test at REPEATABLE READ, with SET SESSION innodb_snapshot_isolation = OFF / ON:');
    t.table(
      ['test', 'OFF', 'ON'],
      AFFECTED.map((id) => [id, cell(r(id, 'OFF')), cell(r(id, 'ON'))]),
    );
    showTimeline(t, r('P4', 'ON'), 'mariadb');
    const b = find(r('P4', 'ON'), 'B', 'UPDATE');
    for (const id of ['P4', 'PMP-write', 'G-single-write']) {
      t.check(
        `MariaDB REPEATABLE READ with innodb_snapshot_isolation=OFF: ${id} occurs`,
        r(id, 'OFF').verdict.anomaly,
        r(id, 'OFF').verdict.evidence,
      );
      t.check(
        `MariaDB REPEATABLE READ with innodb_snapshot_isolation=ON: ${id} is refused with 1020`,
        !r(id, 'ON').verdict.anomaly && cell(r(id, 'ON')) === 'no (1020)',
        r(id, 'ON').verdict.evidence,
      );
    }
    t.check(
      'the 1020 reads "Record has changed since last read", SQLSTATE HY000 (not 40001)',
      isError(b?.outcome, '1020', /Record has changed since last read/) &&
        b?.outcome?.kind === 'error' &&
        b.outcome.sqlState === 'HY000',
      answer(b),
    );
    t.check(
      "1020 rolls back the whole transaction: B's @@in_transaction is 0 afterwards",
      b?.outcome?.kind === 'error' && b.outcome.trxGone,
    );
    t.check(
      'with ON even SET value = value + 1 is refused (1020) when it races; with OFF both commit 12',
      cell(r('P4-incr', 'ON')) === 'no (1020)' &&
        r('P4-incr', 'OFF').committed.B === true &&
        r('P4-incr', 'OFF').final[0]?.value === 12,
      `${r('P4-incr', 'ON').verdict.evidence} / ${r('P4-incr', 'OFF').verdict.evidence}`,
    );
    t.check(
      'with ON, REPEATABLE READ still lets write skew through (G2-item, G2): it is snapshot isolation',
      r('G2-item', 'ON').verdict.anomaly && r('G2', 'ON').verdict.anomaly,
    );
  },
  { id: 'snapshot-isolation' },
);

interface RetryCase {
  engine: EngineId;
  level: Level;
  snapshot: Snapshot;
}

export const retryStep: Step<Lab> = step(
  'retrying-refused-transactions',
  'The retry loop: a refused transaction runs again from BEGIN, and no update is lost',
  async (t, lab) => {
    const cases: RetryCase[] = [
      { engine: 'postgres', level: 'REPEATABLE READ', snapshot: 'default' },
      { engine: 'postgres', level: 'SERIALIZABLE', snapshot: 'default' },
      { engine: 'mariadb', level: 'SERIALIZABLE', snapshot: 'default' },
    ];
    if (lab.snapshotSetting !== undefined) {
      cases.push({ engine: 'mariadb', level: 'REPEATABLE READ', snapshot: 'ON' });
    }
    for (const c of cases) await runRetryCase(t, lab, c);
  },
  { id: 'retry' },
);

async function runRetryCase(t: StepContext, lab: Lab, c: RetryCase) {
  const { engine, table, sessions } = lab.context(c.engine);
  await engine.admin.raw(`DELETE FROM ${table}`);
  await engine.admin.raw(`INSERT INTO ${table} (id, value) VALUES ${INITIAL_ROWS}`);
  const pair = [sessions.A, sessions.B];
  for (const s of pair) {
    await s.reset();
    if (lab.snapshotSetting !== undefined && c.engine === 'mariadb') {
      const value = c.snapshot === 'default' ? 'DEFAULT' : c.snapshot;
      await s.raw(`SET SESSION innodb_snapshot_isolation = ${value}`);
    }
  }
  const log: Attempt[] = [];
  const meet = barrier(2);
  await Promise.all(pair.map((s) => incrementWithRetry(engine, s, table, c.level, log, meet)));
  if (lab.snapshotSetting !== undefined && c.engine === 'mariadb') {
    for (const s of pair) await s.raw('SET SESSION innodb_snapshot_isolation = DEFAULT');
  }
  const [final] = await engine.admin.raw<{ value: number }>(
    `SELECT value FROM ${table} WHERE id = 1`,
  );
  const label = `${engine.label} ${c.level}${c.snapshot === 'ON' ? ' (snapshot ON)' : ''}`;
  t.say(`${label}: two transactions each read row 1 and write read + 1, in the retry loop:`);
  // Which of the two wins the race is up to the server's scheduling; the table names the roles.
  const retried = new Set(log.filter((a) => a.attempt > 1).map((a) => a.session));
  const role = (a: Attempt) => (retried.has(a.session) ? 'refused, retried' : 'first to commit');
  const ordered = [...log].sort(
    (x, y) =>
      Number(retried.has(x.session)) - Number(retried.has(y.session)) || x.attempt - y.attempt,
  );
  t.table(
    ['transaction', 'attempt', 'read', 'result'],
    ordered.map((a) => [role(a), String(a.attempt), String(a.read ?? '—'), a.result]),
  );
  const codes = log.filter((a) => a.code).map((a) => a.code as string);
  t.check(
    `${label}: the losing attempt is refused (${codes.join(', ') || 'no error'}), then retried`,
    codes.length >= 1 && codes.every((code) => engine.retryable(code)),
  );
  t.equal(`${label}: after the retry both increments count (10 → 12)`, Number(final?.value), 12);
}
