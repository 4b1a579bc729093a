// The retry loop an application owes its database: run the whole transaction again when the
// engine refuses it with a serialization failure (40001), a deadlock (PostgreSQL 40P01, MariaDB
// 1213) or, on MariaDB with innodb_snapshot_isolation, "record has changed" (1020).

import type { Engine, Level, Outcome, Session } from './engines.ts';

export interface Attempt {
  session: string;
  attempt: number;
  /** What the attempt read (the increment's row 1), when it read anything. */
  read?: number;
  /** 'committed', or the error that ended the attempt. */
  result: string;
  code?: string;
}

class Refused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Runs a statement of the transaction; a refusal (or a COMMIT that rolled back) throws Refused. */
async function must(s: Session, sql: string): Promise<Outcome> {
  const out = await s.run(sql);
  if (out.kind === 'error') throw new Refused(out.code, out.message);
  if (out.kind === 'done' && out.tag === 'ROLLBACK') throw new Refused('ROLLBACK', 'not committed');
  return out;
}

/** The transaction's statements between BEGIN and COMMIT; `first` is true on the first attempt. */
export type Body = (s: Session, entry: Attempt, first: boolean) => Promise<void>;

/**
 * BEGIN at `level`, the body, COMMIT; on a retryable refusal roll back and start over from
 * BEGIN, up to `max` attempts. Every attempt is logged.
 */
export async function withRetry(
  engine: Engine,
  s: Session,
  level: Level,
  log: Attempt[],
  body: Body,
  max = 5,
): Promise<number> {
  for (let attempt = 1; attempt <= max; attempt++) {
    const entry: Attempt = { session: s.name, attempt, result: '' };
    log.push(entry);
    try {
      for (const sql of engine.begin(level)) await must(s, sql);
      await body(s, entry, attempt === 1);
      await must(s, 'COMMIT');
      entry.result = 'committed';
      return attempt;
    } catch (err) {
      await s.reset();
      if (!(err instanceof Refused) || !engine.retryable(err.code)) throw err;
      entry.code = err.code;
      entry.result = `ERROR ${err.code}, rolled back, retry`;
    }
  }
  throw new Error(`${s.name}: still refused after ${max} attempts`);
}

/**
 * Reads row 1 and writes read + 1 computed in the client (the P4 pattern). `meet` lines the two
 * workers up after their first read so the first attempts really race.
 */
export function increment(table: string, meet: () => Promise<void>): Body {
  return async (s, entry, first) => {
    const read = await must(s, `SELECT id, value FROM ${table} WHERE id = 1`);
    entry.read = read.kind === 'rows' ? read.rows[0]?.value : undefined;
    if (first) await meet();
    await must(s, `UPDATE ${table} SET value = ${(entry.read ?? 0) + 1} WHERE id = 1`);
  };
}

/**
 * Adds 1 to both rows, starting with row `from`: two workers starting at opposite rows lock
 * one row each and then wait for each other, a deadlock the server breaks by refusing one.
 */
export function bothRows(table: string, from: 1 | 2, meet: () => Promise<void>): Body {
  const add = (id: number) => `UPDATE ${table} SET value = value + 1 WHERE id = ${id}`;
  return async (s, _entry, first) => {
    await must(s, add(from));
    if (first) await meet();
    await must(s, add(3 - from));
  };
}

/** A barrier: resolves once `parties` workers have arrived. */
export function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((r) => {
    release = r;
  });
  return () => {
    arrived++;
    if (arrived === parties) release();
    // Bounded: a worker that failed before arriving must not leave the other waiting forever.
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the other worker never arrived')), 8000);
    });
    return Promise.race([all, bound]).finally(() => clearTimeout(timer));
  };
}
