// The retry loop an application owes its database: run the whole transaction again when the
// engine refuses it with a serialization failure (40001), a deadlock (1213) or, on MariaDB with
// innodb_snapshot_isolation, "record has changed" (1020).

import type { Engine, Level, Session } from './engines.ts';

export interface Attempt {
  session: string;
  attempt: number;
  read?: number;
  /** 'committed', or the error that ended the attempt. */
  result: string;
  code?: string;
}

export class Refused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function must(s: Session, sql: string) {
  const out = await s.run(sql);
  if (out.kind === 'error') throw new Refused(out.code, out.message);
  if (out.kind === 'done' && out.tag === 'ROLLBACK') throw new Refused('ROLLBACK', 'not committed');
  return out;
}

/**
 * Reads row 1, writes read + 1 computed in the client (the P4 pattern), commits; on a retryable
 * error rolls back and starts over, up to `max` attempts. `afterFirstRead` lets the caller line
 * two workers up so the first attempts really race.
 */
export async function incrementWithRetry(
  engine: Engine,
  s: Session,
  table: string,
  level: Level,
  log: Attempt[],
  afterFirstRead: () => Promise<void>,
  max = 5,
): Promise<number> {
  for (let attempt = 1; attempt <= max; attempt++) {
    const entry: Attempt = { session: s.name, attempt, result: '' };
    log.push(entry);
    try {
      for (const sql of engine.begin(level)) await must(s, sql);
      const read = await must(s, `SELECT id, value FROM ${table} WHERE id = 1`);
      entry.read = read.kind === 'rows' ? read.rows[0]?.value : undefined;
      if (attempt === 1) await afterFirstRead();
      await must(s, `UPDATE ${table} SET value = ${(entry.read ?? 0) + 1} WHERE id = 1`);
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

/** A two-party barrier: resolves once both workers have arrived. */
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
