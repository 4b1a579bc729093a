// Runs one interleaving (a Scenario) on one engine at one level. A statement is sent without
// awaiting it; the runner then waits until it has either returned or the server says its session
// is waiting for a lock ("blocked"). A blocked session's later statements wait their turn while
// the other sessions go on, exactly as in a two-terminal experiment.

import type { Engine, Level, Outcome, Row, Session } from './engines.ts';

export type SessionName = 'A' | 'B' | 'C';

/** Outcomes of the statements that carry a label, for statements written from earlier results. */
type Captures = Record<string, Outcome | undefined>;

interface Op {
  s: SessionName;
  /** SQL with `{t}` for the table; a function when the client computes a value from a read. */
  sql: string | ((c: Captures) => string);
  /** Label under which the outcome is kept for judge() and later statements. */
  as?: string;
}

export interface Verdict {
  anomaly: boolean;
  /** What was seen, in a few words: "B read 101", "both committed, final 1=>11". */
  evidence: string;
}

export interface Scenario {
  id: string;
  name: string;
  /** One sentence: what the interleaving does and what would count as the anomaly. */
  idea: string;
  sessions: SessionName[];
  ops: Op[];
  judge(run: Run): Verdict;
}

export interface Entry {
  s: SessionName;
  sql?: string;
  outcome?: Outcome;
  /** The statement did not return: the server reported its session waiting for a lock. */
  blocked?: boolean;
  /** The completion of a statement that blocked earlier. */
  resumed?: boolean;
  /** Not sent, and why. */
  skipped?: string;
}

export interface Run {
  engine: string;
  level: Level;
  scenario: string;
  timeline: Entry[];
  captures: Captures;
  /** Did each session's COMMIT really commit? */
  committed: Partial<Record<SessionName, boolean>>;
  /** Sessions whose statement blocked at least once. */
  blockedSessions: SessionName[];
  final: Row[];
  verdict: Verdict;
}

const TABLE_PLACEHOLDER = /\{t\}/g;
export const INITIAL_ROWS = '(1, 10), (2, 20)';

const STATEMENT_BOUND_MS = 6000;
const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Pending {
  entry: Entry;
  label?: string;
  settled: boolean;
  outcome?: Outcome;
  promise: Promise<Outcome>;
}

export interface RunOptions {
  table: string;
  sessions: Record<SessionName, Session>;
  /** Statements each session runs before BEGIN (e.g. SET SESSION innodb_snapshot_isolation). */
  sessionSetup?: string[];
}

export async function runScenario(
  engine: Engine,
  sc: Scenario,
  level: Level,
  o: RunOptions,
): Promise<Run> {
  const real = (sql: string) => sql.replace(TABLE_PLACEHOLDER, o.table);
  const shown = (sql: string) => sql.replace(TABLE_PLACEHOLDER, 'test').replaceAll(o.table, 'test');
  await mustRun(engine.admin, `DELETE FROM ${o.table}`);
  await mustRun(engine.admin, `INSERT INTO ${o.table} (id, value) VALUES ${INITIAL_ROWS}`);
  for (const name of sc.sessions) {
    const s = o.sessions[name];
    await s.reset();
    for (const sql of [...(o.sessionSetup ?? []), ...engine.begin(level)]) await mustRun(s, sql);
  }

  const timeline: Entry[] = [];
  const captures: Captures = {};
  const committed: Partial<Record<SessionName, boolean>> = {};
  const gone = new Set<SessionName>();
  const blockedSessions = new Set<SessionName>();
  const pending = new Map<SessionName, Pending>();

  const record = (s: SessionName, sql: string, label: string | undefined, out: Outcome) => {
    if (label) captures[label] = out;
    if (out.kind === 'error' && out.trxGone) gone.add(s);
    if (/^(COMMIT|ROLLBACK)$/i.test(sql.trim())) {
      committed[s] = out.kind === 'done' && out.tag !== 'ROLLBACK' && !gone.has(s);
    }
  };

  /** Waits until `p` returns (false) or the server reports its session waiting (true). */
  const settleOrBlock = async (name: SessionName, p: Pending): Promise<boolean> => {
    const deadline = Date.now() + STATEMENT_BOUND_MS;
    for (;;) {
      await Promise.race([p.promise, delay(3)]);
      if (p.settled) return false;
      if ((await engine.waiting(o.sessions[name])) && !p.settled) return true;
      if (Date.now() > deadline) {
        throw new Error(`${sc.id}: session ${name} neither returned nor waited on a lock`);
      }
    }
  };

  const finish = (name: SessionName, p: Pending) => {
    pending.delete(name);
    const out = p.outcome as Outcome;
    record(name, p.entry.sql ?? '', p.label, out);
    if (p.entry.blocked) timeline.push({ s: name, outcome: out, resumed: true });
    else p.entry.outcome = out;
  };

  /** After any statement, the others that were blocked may have been released. */
  const recheck = async () => {
    for (const [name, p] of [...pending]) {
      if (!(await settleOrBlock(name, p))) finish(name, p);
    }
  };

  const queue = [...sc.ops];
  while (queue.length) {
    const i = queue.findIndex((op) => !pending.has(op.s));
    if (i < 0) {
      // Every remaining statement belongs to a blocked session: wait for one to be released.
      const all = [...pending.values()];
      await Promise.race([...all.map((p) => p.promise), delay(STATEMENT_BOUND_MS)]);
      if (!all.some((p) => p.settled)) throw new Error(`${sc.id}: every session is blocked`);
      await recheck();
      continue;
    }
    const op = queue.splice(i, 1)[0] as Op;
    const sql = typeof op.sql === 'function' ? op.sql(captures) : op.sql;
    const entry: Entry = { s: op.s, sql: shown(sql) };
    timeline.push(entry);
    if (gone.has(op.s)) {
      entry.skipped = 'not sent: the transaction was already rolled back';
      if (op.as) captures[op.as] = undefined;
      if (/^COMMIT$/i.test(sql.trim())) committed[op.s] = false;
      continue;
    }
    const p: Pending = { entry, label: op.as, settled: false, promise: Promise.resolve() as never };
    p.promise = o.sessions[op.s].run(real(sql)).then((raw) => {
      // Error texts name the real table; the transcript calls it `test` everywhere.
      const out = raw.kind === 'error' ? { ...raw, message: shown(raw.message) } : raw;
      p.settled = true;
      p.outcome = out;
      return out;
    });
    pending.set(op.s, p);
    if (await settleOrBlock(op.s, p)) {
      entry.blocked = true;
      blockedSessions.add(op.s);
    } else finish(op.s, p);
    await recheck();
  }

  const finalOut = await engine.admin.run(`SELECT id, value FROM ${o.table} ORDER BY id`);
  const final = finalOut.kind === 'rows' ? finalOut.rows : [];
  for (const name of sc.sessions) await o.sessions[name].reset();
  const run: Run = {
    engine: engine.label,
    level,
    scenario: sc.id,
    timeline,
    captures,
    committed,
    blockedSessions: [...blockedSessions],
    final,
    verdict: { anomaly: false, evidence: '' },
  };
  run.verdict = sc.judge(run);
  return run;
}

async function mustRun(s: Session, sql: string): Promise<void> {
  const out = await s.run(sql);
  if (out.kind === 'error') throw new Error(`${sql}: ${out.code} ${out.message}`);
}

// ------------------------------------------------------------ helpers for judge()

/** The rows a labelled SELECT returned, or undefined when it failed or was not sent. */
export function rowsOf(run: Run, label: string): Row[] | undefined {
  const out = run.captures[label];
  return out?.kind === 'rows' ? out.rows : undefined;
}

export function valueAt(rows: Row[] | undefined, id: number): number | undefined {
  return rows?.find((r) => r.id === id)?.value;
}

export function fmtRows(rows: Row[] | undefined): string {
  if (!rows) return '(no rows: failed)';
  return rows.length ? rows.map((r) => `${r.id}=>${r.value}`).join(', ') : '(none)';
}

/** How the level kept the anomaly out, read from the run: an error code, a block, or neither. */
export function mechanism(run: Run): string {
  const codes = new Set<string>();
  for (const e of run.timeline) if (e.outcome?.kind === 'error') codes.add(e.outcome.code);
  for (const c of ['40001', '40P01', '1213', '1020', '1205']) if (codes.has(c)) return c;
  return run.blockedSessions.length ? 'lock' : '';
}

export interface Statement {
  s: SessionName;
  sql: string;
  outcome?: Outcome;
  blocked: boolean;
  skipped?: string;
}

/** The run's statements in the order they were sent, each with its final outcome. */
function statements(run: Run): Statement[] {
  const list: Statement[] = [];
  const waiting = new Map<SessionName, Statement>();
  for (const e of run.timeline) {
    if (e.resumed) {
      const st = waiting.get(e.s);
      if (st) st.outcome = e.outcome;
      waiting.delete(e.s);
      continue;
    }
    const st: Statement = {
      s: e.s,
      sql: e.sql ?? '',
      outcome: e.outcome,
      blocked: e.blocked === true,
      skipped: e.skipped,
    };
    if (st.blocked) waiting.set(e.s, st);
    list.push(st);
  }
  return list;
}

/** The first statement of session `s` whose SQL starts with `prefix`. */
export function find(run: Run, s: SessionName, prefix: string): Statement | undefined {
  return statements(run).find((st) => st.s === s && st.sql.startsWith(prefix));
}

/** The statement session `s` sent right after its first one starting with `prefix`. */
export function after(run: Run, s: SessionName, prefix: string): Statement | undefined {
  const mine = statements(run).filter((st) => st.s === s);
  const i = mine.findIndex((st) => st.sql.startsWith(prefix));
  return i < 0 ? undefined : mine[i + 1];
}
