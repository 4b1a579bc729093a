// Steps: how each engine refuses, MariaDB's innodb_snapshot_isolation, the retry loop, and
// SELECT … FOR UPDATE as the fix. (What a lock wait timeout undoes: steps-lock-timeout.ts.)

import { type StepContext, step } from '../kit/define.ts';
import { TESTS, test } from './anomalies.ts';
import type { Kind, Level, Outcome, Session } from './engines.ts';
import type { Env, Server, Snapshot } from './env.ts';
import { G2_ITEM_FOR_UPDATE, P4_FOR_UPDATE } from './fixes.ts';
import { type Attempt, barrier, bothRows, increment, withRetry } from './retry.ts';
import { after, find, INITIAL_ROWS, type Run, rowsOf, type Statement, valueAt } from './runner.ts';
import { cellOf, describeOutcome, PHRASE, wrapTo } from './show.ts';
import { showRun } from './steps-anomalies.ts';

export const isError = (o: Outcome | undefined, code: string, message?: RegExp): boolean =>
  o?.kind === 'error' && o.code === code && (!message || message.test(o.message));

const answer = (st: Statement | undefined) =>
  st?.outcome ? describeOutcome(st.outcome, st.sql) : st?.skipped ? 'not sent' : '(none)';

/** The first server of a kind (the demo needs one of each). */
export function first(env: Env, kind: Kind): Server {
  const s = env.servers.find((x) => x.engine.kind === kind);
  if (!s) throw new Error(`no ${kind} server is open`);
  return s;
}

/** Two lines per statement: which test and session sent it, then what the server answered. */
function lines(run: Run, st: Statement | undefined): string[] {
  const head = `${run.engine} ${run.level}, ${run.scenario} · ${st?.s}: ${st?.sql}`;
  return [
    `${head}${st?.blocked ? '  ⏸ waited' : ''}`,
    ...wrapTo(`← ${answer(st)}`, 92).map((l, i) => (i ? `    ${l}` : `  ${l}`)),
  ];
}

export const refusalsStep = step<Env>(
  {
    id: 'refusals',
    section: 'how-each-engine-refuses',
    title: 'How each engine refuses: 40001 on a statement or on COMMIT, or a wait and then 1213',
  },
  async (t, env) => {
    const pg = first(env, 'postgres');
    const maria = first(env, 'mariadb');
    const pgP4 = await env.measure(pg, test('P4'), 'REPEATABLE READ');
    const pgPw = await env.measure(pg, test('PMP-write'), 'REPEATABLE READ');
    const pgG2i = await env.measure(pg, test('G2-item'), 'SERIALIZABLE');
    const myG2i = await env.measure(maria, test('G2-item'), 'SERIALIZABLE');
    const p4Update = find(pgP4, 'B', 'UPDATE');
    const p4Commit = find(pgP4, 'B', 'COMMIT');
    const pwSelectAfter = after(pgPw, 'B', 'DELETE');
    const g2Commit = find(pgG2i, 'B', 'COMMIT');
    const g2Before = pgG2i.timeline.filter((e) => e.s === 'B' && e.sql && e.sql !== 'COMMIT');
    const myA = find(myG2i, 'A', 'UPDATE');
    const myB = find(myG2i, 'B', 'UPDATE');
    const shown: [Run, Statement | undefined][] = [
      [pgP4, p4Update],
      [pgP4, p4Commit],
      [pgPw, pwSelectAfter],
      [pgG2i, g2Commit],
      [myG2i, myA],
      [myG2i, myB],
    ];
    t.block(shown.flatMap(([run, st]) => lines(run, st)));
    const P = pg.engine.label;
    const M = maria.engine.label;
    t.say(`${P} REPEATABLE READ, P4: the second writer waits, then fails on the statement.`);
    t.check(
      `${P} REPEATABLE READ refuses the second UPDATE in P4 with 40001 "… concurrent update"`,
      p4Update?.blocked === true &&
        isError(p4Update.outcome, '40001', /could not serialize access due to concurrent update/),
      answer(p4Update),
    );
    t.check(
      `after an error, ${P} refuses the next statement with 25P02 (transaction aborted)`,
      isError(pwSelectAfter?.outcome, '25P02'),
      answer(pwSelectAfter),
    );
    t.check(
      `${P} answers COMMIT of a failed transaction with ROLLBACK, not with an error`,
      p4Commit?.outcome?.kind === 'done' && p4Commit.outcome.tag === 'ROLLBACK',
      answer(p4Commit),
    );
    t.say(`${P} SERIALIZABLE, G2-item: every statement runs; the failure waits for COMMIT.`);
    t.check(
      `${P} SERIALIZABLE runs all of G2-item and refuses the second COMMIT with 40001 (SSI)`,
      g2Before.every((e) => e.outcome?.kind !== 'error' && !e.blocked) &&
        isError(g2Commit?.outcome, '40001', /read\/write dependencies among transactions/),
      answer(g2Commit),
    );
    showRun(t, maria, myG2i, test('G2-item').sessions);
    t.check(
      `${M} SERIALIZABLE makes A's UPDATE wait: B's plain SELECT took a shared lock`,
      myA?.blocked === true,
    );
    t.check(
      `${M} SERIALIZABLE refuses B's UPDATE with 1213 deadlock and rolls back all of B`,
      isError(myB?.outcome, '1213', /Deadlock found/) &&
        myB?.outcome?.kind === 'error' &&
        myB.outcome.trxGone,
      answer(myB),
    );
    t.check(
      `${M}: once B is rolled back, A's UPDATE completes and A commits`,
      myA?.outcome?.kind === 'done' && myG2i.committed.A === true,
    );
  },
);

/** Resets the table to the initial rows and ends whatever the sessions had open. */
export async function fresh(server: Server, sessions: Session[]): Promise<void> {
  const { engine, table } = server;
  await engine.admin.raw(`DELETE FROM ${table}`);
  await engine.admin.raw(`INSERT INTO ${table} (id, value) VALUES ${INITIAL_ROWS}`);
  for (const s of sessions) await s.reset();
}

async function snapshotOnServer(t: StepContext, env: Env, server: Server): Promise<void> {
  const { engine } = server;
  t.block([
    "> SHOW GLOBAL VARIABLES LIKE 'innodb_snapshot_isolation';",
    `< ${server.snapshot ?? '(empty set: this server has no such variable)'}   (${engine.label}, server ${engine.version})`,
  ]);
  if (server.snapshot === undefined) {
    const p4 = await env.measure(server, test('P4'), 'REPEATABLE READ');
    t.check(
      `without innodb_snapshot_isolation, ${engine.label} REPEATABLE READ: P4 lost update occurs`,
      p4.verdict.anomaly,
      p4.verdict.evidence,
    );
    return;
  }
  const runs = new Map<string, Run>();
  for (const x of TESTS) {
    for (const s of ['OFF', 'ON'] as Snapshot[]) {
      runs.set(`${x.id}|${s}`, await env.measure(server, x, 'REPEATABLE READ', s));
    }
  }
  const r = (id: string, s: string) => runs.get(`${id}|${s}`) as Run;
  t.say(`${engine.label}, every test at REPEATABLE READ with SET SESSION … = OFF / ON:`);
  t.figure({
    kind: 'matrix',
    title: `${engine.label} REPEATABLE READ`,
    columns: ['OFF', 'ON'],
    rows: TESTS.map((x) => ({
      label: x.id,
      cells: [cellOf(r(x.id, 'OFF')), cellOf(r(x.id, 'ON'))],
    })),
  });
  const L = engine.label;
  for (const id of ['P4', 'PMP-write', 'G-single-write']) {
    t.check(
      `${L} REPEATABLE READ with innodb_snapshot_isolation=OFF: ${id} occurs`,
      r(id, 'OFF').verdict.anomaly,
      r(id, 'OFF').verdict.evidence,
    );
  }
  for (const x of TESTS) {
    const expected = x.expect.mariadbSnapshotRR;
    t.equal(
      `${L} REPEATABLE READ with innodb_snapshot_isolation=ON: ${x.id} ${PHRASE[expected]}`,
      cellOf(r(x.id, 'ON')),
      expected,
    );
  }
  const b = find(r('P4', 'ON'), 'B', 'UPDATE');
  t.check(
    `${L}: the 1020 reads "Record has changed since last read", SQLSTATE HY000 (not 40001)`,
    isError(b?.outcome, '1020', /Record has changed since last read/) &&
      b?.outcome?.kind === 'error' &&
      b.outcome.sqlState === 'HY000',
    answer(b),
  );
  t.check(
    `${L}: 1020 rolls back the whole transaction: B's @@in_transaction is 0 afterwards`,
    b?.outcome?.kind === 'error' && b.outcome.trxGone,
  );
  t.check(
    `${L}: with ON even SET value = value + 1 is refused (1020) when it races; with OFF both commit 12`,
    cellOf(r('P4-incr', 'ON')) === '1020' &&
      r('P4-incr', 'OFF').committed.B === true &&
      r('P4-incr', 'OFF').final[0]?.value === 12,
    `${r('P4-incr', 'ON').verdict.evidence} / ${r('P4-incr', 'OFF').verdict.evidence}`,
  );
  t.check(
    `${L}: with ON, REPEATABLE READ still lets write skew through (G2-item, G2): snapshot isolation`,
    r('G2-item', 'ON').verdict.anomaly && r('G2', 'ON').verdict.anomaly,
  );
}

export const snapshotStep = step<Env>(
  {
    id: 'snapshot-isolation',
    section: 'mariadb-innodb_snapshot_isolation',
    title: "MariaDB's innodb_snapshot_isolation: REPEATABLE READ that refuses stale writes (1020)",
  },
  async (t, env) => {
    for (const server of env.servers.filter((s) => s.engine.kind === 'mariadb')) {
      await snapshotOnServer(t, env, server);
    }
  },
);

interface RetryCase {
  kind: Kind;
  level: Level;
  snapshot: Snapshot;
  /** `increment`: read, then write read + 1; `deadlock`: both rows, in opposite orders. */
  race: 'increment' | 'deadlock';
}

export const retryStep = step<Env>(
  {
    id: 'retry',
    section: 'retrying-refused-transactions',
    title: 'The retry loop: a refused transaction runs again from BEGIN, and no update is lost',
  },
  async (t, env) => {
    const cases: RetryCase[] = [
      { kind: 'postgres', level: 'REPEATABLE READ', snapshot: 'default', race: 'increment' },
      { kind: 'postgres', level: 'SERIALIZABLE', snapshot: 'default', race: 'increment' },
      { kind: 'postgres', level: 'READ COMMITTED', snapshot: 'default', race: 'deadlock' },
      { kind: 'mariadb', level: 'SERIALIZABLE', snapshot: 'default', race: 'increment' },
    ];
    if (first(env, 'mariadb').snapshot !== undefined) {
      cases.push({ kind: 'mariadb', level: 'REPEATABLE READ', snapshot: 'ON', race: 'increment' });
    }
    for (const c of cases) await runRetryCase(t, first(env, c.kind), c);
  },
);

async function runRetryCase(t: StepContext, server: Server, c: RetryCase) {
  const { engine, table, sessions } = server;
  const pair = [sessions.A, sessions.B];
  await fresh(server, pair);
  const enter: string[] = [];
  const leave: string[] = [];
  if (engine.kind === 'mariadb' && c.snapshot !== 'default') {
    enter.push(`SET SESSION innodb_snapshot_isolation = ${c.snapshot}`);
    leave.push('SET SESSION innodb_snapshot_isolation = DEFAULT');
  }
  if (c.race === 'deadlock') {
    // PostgreSQL looks for a deadlock only after deadlock_timeout (1 s by default).
    enter.push("SET deadlock_timeout = '100ms'");
    leave.push('SET deadlock_timeout = DEFAULT');
  }
  for (const s of pair) for (const sql of enter) await s.raw(sql);
  const log: Attempt[] = [];
  const meet = barrier(2);
  await Promise.all(
    pair.map((s, i) =>
      withRetry(
        engine,
        s,
        c.level,
        log,
        c.race === 'increment' ? increment(table, meet) : bothRows(table, i === 0 ? 1 : 2, meet),
      ),
    ),
  );
  for (const s of pair) for (const sql of leave) await s.raw(sql);
  const final = await engine.admin.raw<{ value: number }>(`SELECT value FROM ${table} ORDER BY id`);
  const label = `${engine.label} ${c.level}${c.snapshot === 'ON' ? ' (snapshot ON)' : ''}`;
  t.say(
    c.race === 'increment'
      ? `${label}: two transactions each read row 1 and write read + 1, in the retry loop:`
      : `${label}: two transactions each add 1 to both rows, in opposite orders, in the retry loop:`,
  );
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
  if (c.race === 'increment') {
    t.check(
      `${label}: the losing attempt is refused (${codes.join(', ') || 'no error'}), then retried`,
      codes.length >= 1 && codes.every((code) => engine.retryable(code)),
    );
    t.equal(`${label}: after the retry both increments count (10 → 12)`, final[0]?.value, 12);
  } else {
    t.check(
      `${label}: the deadlock victim is refused with 40P01 (not 40001), then retried`,
      // The retried victim can race the winner for the released row and deadlock again.
      codes.length >= 1 && codes.every((code) => code === '40P01') && engine.retryable('40P01'),
      codes.join(', ') || 'no error',
    );
    t.equal(
      `${label}: after the retry both transactions count (rows 12 and 22)`,
      final.map((r) => r.value),
      [12, 22],
    );
  }
}

export const forUpdateStep = step<Env>(
  {
    id: 'for-update',
    section: 'locking-reads-for-update',
    title: 'SELECT … FOR UPDATE: lost update and write skew fixed without changing the level',
  },
  async (t, env) => {
    const cases: [Server, Level][] = [
      [first(env, 'postgres'), 'READ COMMITTED'],
      [first(env, 'postgres'), 'REPEATABLE READ'],
      [first(env, 'mariadb'), 'REPEATABLE READ'],
    ];
    for (const [server, level] of cases) {
      const { label } = server.engine;
      const p4 = await env.measure(server, P4_FOR_UPDATE, level);
      const g2 = await env.measure(server, G2_ITEM_FOR_UPDATE, level);
      if (level === 'REPEATABLE READ') showRun(t, server, p4, P4_FOR_UPDATE.sessions);
      else t.show(`${label} ${level}, P4 FOR UPDATE`, p4.verdict.evidence);
      t.show(`${label} ${level}, G2-item FOR UPDATE`, g2.verdict.evidence);
      const bRead = find(p4, 'B', 'SELECT');
      // Where the level refuses a stale write anyway (PostgreSQL RR), FOR UPDATE is refused too.
      const refused = server.engine.kind === 'postgres' && level === 'REPEATABLE READ';
      t.check(
        `${label} ${level}: with FOR UPDATE, P4 lost update does not occur: B's read waits for A, then ${refused ? 'is refused with 40001' : 'returns 11, and B writes 12'}`,
        !p4.verdict.anomaly &&
          bRead?.blocked === true &&
          (refused
            ? isError(bRead.outcome, '40001')
            : bRead.outcome?.kind === 'rows' &&
              bRead.outcome.rows[0]?.value === 11 &&
              p4.final[0]?.value === 12),
        p4.verdict.evidence,
      );
      t.check(
        `${label} ${level}: with FOR UPDATE, G2-item write skew does not occur: ${refused ? 'B is refused with 40001' : "B's decision sees A's 11"}`,
        !g2.verdict.anomaly &&
          (refused
            ? cellOf(g2) === '40001'
            : g2.committed.B === true && valueAt(rowsOf(g2, 'b'), 1) === 11),
        g2.verdict.evidence,
      );
    }
  },
);
