// Lab: a nightly job guarded by an advisory lock, behind PgBouncer in transaction mode. The
// learner's nightly() runs on clients of the PgBouncer the steps start (startBouncer), while
// another request of the service is in a transaction and a second instance tries the same job;
// the claims are step `advisory-lock`'s, seen from the job: exclusive while it runs, and no lock
// left on the pooled server connection once it has gone (pg_locks, from a direct session).

import { pathToFileURL } from 'node:url';
import type pg from 'pg';
import { defineLab } from '../../../kit/lab.ts';
import { startBouncer } from '../../bouncer.ts';
import { advisoryHolders, backendPid } from '../../clients.ts';
import { labCluster } from '../../lab-setup.ts';

const LOCK = 42;
const BOUND_MS = 5_000;

type Nightly = (db: pg.ClientBase, rollup: () => Promise<void>) => Promise<string>;

async function loadJob(file: string): Promise<Nightly> {
  const mod = (await import(pathToFileURL(file).href)) as { nightly?: unknown };
  if (typeof mod.nightly !== 'function')
    throw new Error('job.ts must export nightly(db, rollup) as a function');
  return mod.nightly as Nightly;
}

/** What a call of the learner's job came to: its answer, its error, or that it still waits. */
async function within(run: () => Promise<string>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`still waiting after ${BOUND_MS / 1000} s`), BOUND_MS);
  });
  try {
    return await Promise.race([
      run().then(
        (r) => String(r),
        (err: { code?: string; message?: string }) => `error: ${err.code ?? ''} ${err.message}`,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export const lab = defineLab(import.meta.url, {
  id: 'advisory-lock',
  title: 'A lock that outlives its job',
  task: 'Since the service connects through PgBouncer (transaction mode), the nightly rollup ran once and never again: make job.ts lock only while it works, and still run one instance at a time.',
  section: 'what-transaction-pooling-breaks',
  files: ['job.ts'],
  needs: ['postgres15-binaries', 'pgbouncer'],
  timeoutMs: 60_000,
  startFails: `once the job has finished and disconnected, advisory lock ${LOCK} is free`,
  check: async (t, dir) => {
    const nightly = await loadJob(`${dir}/job.ts`);
    const { cluster, control } = await labCluster(t);
    await control.query('CREATE TABLE rollups (night int)');
    await control.query('GRANT ALL ON rollups TO app');
    // Pool size 3: the job, another request in a transaction, and the second instance at once.
    const bouncer = await startBouncer(cluster, [
      { name: 'app', port: cluster.port, size: 3, mode: 'transaction' },
    ]);
    t.uses('pgbouncer', bouncer.version);
    const [job, other, second] = await Promise.all([1, 2, 3].map(() => bouncer.client('app')));
    if (!job || !other || !second) throw new Error('no client of PgBouncer');
    t.defer(() => Promise.all([job, other, second].map((c) => c.end().catch(() => undefined))));
    let secondGot = 'never started';
    let otherPid = 0;
    const first = await within(() =>
      nightly(job, async () => {
        // Another request of the service begins a transaction: PgBouncer hands it the server
        // connection released last (LIFO), which may be the one the job has just used.
        await other.query('BEGIN');
        otherPid = await backendPid(other);
        secondGot = await within(() => nightly(second, async () => undefined));
        await job.query('INSERT INTO rollups VALUES (1)');
      }),
    );
    await other.query('COMMIT').catch(() => undefined);
    await Promise.all([job.end(), second.end()]);
    const { rows: runs } = await control.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM rollups',
    );
    const held = await advisoryHolders(control, LOCK);
    t.equal('a second instance started while the rollup runs is skipped', secondGot, 'skipped');
    t.equal(
      'the first instance runs the rollup, once',
      { first, rollups: runs[0]?.n },
      { first: 'ran', rollups: 1 },
    );
    t.check(
      `once the job has finished and disconnected, advisory lock ${LOCK} is free: no session holds it`,
      held.length === 0,
      `pg_locks: held by backend ${held.join(', ')}${held.includes(otherPid) ? " — the pooled server connection the other request's transaction got after the job" : ', a pooled server connection of PgBouncer'}`,
    );
  },
  hints: [
    {
      claim: `once the job has finished and disconnected, advisory lock ${LOCK} is free`,
      ladder: [
        'The job finished and its client disconnected, yet a server session still holds the lock: the next night, pg_try_advisory_lock on any other server connection says false.',
        'A session-level advisory lock belongs to the server session, and is released when that session ends (PostgreSQL docs §13.3.5 "Advisory Locks"). Behind PgBouncer the server session outlives your client: it serves the next client (PgBouncer features.html lists session advisory locks as "never" working in transaction mode).',
        'Unlocking it yourself does not help: in transaction mode each statement outside a transaction may run on another server connection, and pg_advisory_unlock there answers false ("you don\'t own a lock").',
        'Hold the lock in a transaction: BEGIN, pg_try_advisory_xact_lock(42), the rollup, COMMIT. The transaction keeps one server connection, and the lock ends with it.',
      ],
    },
    {
      claim: 'a second instance started while the rollup runs is skipped',
      ladder: [
        'Two instances ran the rollup at once: the lock did not keep the second one out.',
        'A transaction-level lock (pg_advisory_xact_lock) is released when its transaction ends; outside BEGIN … COMMIT every statement is a transaction of its own, so the lock is gone before the rollup starts.',
        'Open the transaction first and keep the rollup inside it.',
      ],
    },
    {
      claim: 'the first instance runs the rollup, once',
      ladder: [
        'The first instance did not run the rollup: it said something other than "ran", or the rollup row is missing.',
      ],
    },
  ],
  wrong: [
    {
      case: 'unlock-at-end',
      fails: `once the job has finished and disconnected, advisory lock ${LOCK} is free`,
      why: 'pg_advisory_unlock runs on whatever server connection PgBouncer picks, not necessarily the one holding the lock',
    },
    {
      case: 'xact-no-begin',
      fails: 'a second instance started while the rollup runs is skipped',
      why: 'without BEGIN the transaction-level lock ends with its own statement, before the rollup runs',
    },
  ],
});
