// A writer session on the primary, and a statement started on it whose fate is read from
// pg_stat_activity: did it return, or does its backend wait for a standby (SyncRep)?

import type pg from 'pg';
import type { StepContext } from '../kit/define.ts';
import { waitFor } from '../kit/wait.ts';
import type { Env } from './env.ts';
import { backendPid, connect, SETTLE_MS } from './pg.ts';

/** A NOTICE or WARNING the server sent a session. */
interface Notice {
  severity?: string;
  message?: string;
  detail?: string;
}

/** A writer session on the primary, closed when the step ends, with its backend pid. */
export async function writer(
  t: StepContext,
  env: Env,
): Promise<{ session: pg.Client; pid: number; notices: Notice[] }> {
  const session = await connect(env.layout.primary.url, 'writer');
  t.defer(() => session.end());
  const notices: Notice[] = [];
  session.on('notice', (n) => notices.push(n));
  return { session, pid: await backendPid(session), notices };
}

export type Outcome = 'returned' | 'waits in SyncRep';

/** How long a backend released by the standby's acknowledgement may still show SyncRep. */
const RELEASE_MS = 1000;

/** The backend waits for a standby: pg_stat_activity.wait_event = SyncRep. */
async function inSyncRep(env: Env, pid: number): Promise<boolean> {
  const { rows } = await env.primary.query<{ e: string | null }>(
    'SELECT wait_event AS e FROM pg_stat_activity WHERE pid = $1',
    [pid],
  );
  return rows[0]?.e === 'SyncRep';
}

/** Resolves when `p` settles, or throws the kit's Timeout after SETTLE_MS naming `what`. */
async function settled(p: Promise<unknown>, what: string): Promise<void> {
  let done = false;
  p.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await waitFor(what, () => (done ? true : undefined), { timeoutMs: SETTLE_MS, intervalMs: 5 });
}

/**
 * Starts `sql` on the writer and reports whether it returned or waits for a standby
 * (pg_stat_activity.wait_event = SyncRep). Every commit waits in SyncRep for a moment while a
 * live standby acknowledges it, so the answer is read only after `until` settles: by default at
 * once (for a standby that cannot answer at all). The statement keeps running in `pending`.
 */
export async function attempt(
  env: Env,
  w: { session: pg.Client; pid: number },
  sql: string,
  until?: (pending: Promise<unknown>) => Promise<unknown>,
): Promise<{ outcome: Outcome; pending: Promise<unknown> }> {
  let done = false;
  const pending = w.session.query(sql).finally(() => {
    done = true;
  });
  // A failure surfaces where `pending` is awaited; until then it must not be unhandled.
  pending.catch(() => undefined);
  if (until) await settled(until(pending), `${sql}: ${until.name || 'the condition'}`);
  // After `until`, the standby may have just acknowledged the statement: the walsender has
  // released its backend, which shows SyncRep until it is scheduled again — on a loaded machine
  // a while after `until`'s own session got its answer (a lab read "waits" for a COMMIT at
  // synchronous_commit = on that returned a moment later). So a wait counts once it has lasted
  // RELEASE_MS; one that was released returns within it.
  let waitingSince: number | undefined;
  const outcome = await waitFor<Outcome>(
    `${sql} to return or to wait for a standby`,
    async () => {
      if (done) return 'returned';
      const waits = await inSyncRep(env, w.pid);
      if (done) return 'returned';
      if (!waits) {
        waitingSince = undefined;
        return undefined;
      }
      waitingSince ??= Date.now();
      return !until || Date.now() - waitingSince >= RELEASE_MS ? 'waits in SyncRep' : undefined;
    },
    { timeoutMs: SETTLE_MS + RELEASE_MS, intervalMs: 10 },
  );
  return { outcome, pending };
}
