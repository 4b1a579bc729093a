// Lab: payments confirmed before the standby has them. The learner's postgresql.conf lines are
// applied to the demo's pair as step `sync-levels` applies its own — synchronous_standby_names by
// ALTER SYSTEM and a reload, synchronous_commit as the writer session's setting (the default a
// postgresql.conf line gives every session) — and judged as that step judges each level: with
// the standby's replay paused, does COMMIT return, and what does the standby show then?

import { setTimeout as delay } from 'node:timers/promises';
import { defineLab } from '../../../kit/lab.ts';
import { Timeout, waitFor } from '../../../kit/wait.ts';
import { readConf } from '../../conf-file.ts';
import { replicatedTable } from '../../env.ts';
import { labPair } from '../../lab-pair.ts';
import { count, pauseReplay, replicationRow, resumeReplay, setSyncStandbyNames } from '../../pg.ts';
import { attempt, writer } from '../../writer.ts';

/** How long a standby the setting names may take to show as synchronous after the reload. */
const SYNC_BOUND_MS = 3000;
/** How long the payment's COMMIT may take once the standby replays again. */
const COMMIT_BOUND_MS = 5000;
const SYNC = ['sync', 'quorum'];

export const lab = defineLab(import.meta.url, {
  id: 'sync-commit',
  title: 'Confirmed, but not on the standby',
  task: 'A payment is confirmed when its COMMIT returns, and the receipt page reads the standby: set replication.conf so a confirmed payment is already there.',
  section: 'synchronous-commit-levels',
  files: ['replication.conf'],
  needs: ['replication'],
  startFails: 'the primary waits for a standby',
  check: async (t, dir) => {
    const conf = readConf(`${dir}/replication.conf`, [
      'synchronous_standby_names',
      'synchronous_commit',
    ]);
    const names = conf.synchronous_standby_names ?? '';
    const level = conf.synchronous_commit ?? 'on';
    const env = await labPair(t);
    const table = await replicatedTable(env, 'id int PRIMARY KEY, cents int');
    await setSyncStandbyNames(t, env.primary, names);
    // The walsender takes up the new list a moment after the reload.
    const state = async () =>
      (await replicationRow(env.primary, env.standbyName))?.sync_state ?? 'not connected';
    const syncState = names
      ? await waitFor(
          `${env.standbyName} to become synchronous`,
          async () => {
            const s = await state();
            return SYNC.includes(s) ? s : undefined;
          },
          { timeoutMs: SYNC_BOUND_MS },
        ).catch((err: unknown) => {
          if (err instanceof Timeout) return state();
          throw err;
        })
      : await state();
    const synchronous = t.check(
      `the primary waits for a standby: pg_stat_replication shows ${env.standbyName} as sync (or quorum)`,
      SYNC.includes(syncState),
      `sync_state ${syncState}, with synchronous_standby_names = '${names}'`,
    );
    // A list that names no connected standby makes every commit wait for good: stop here.
    if (!synchronous) return;

    await pauseReplay(t, env.standby);
    const w = await writer(t, env);
    // A COMMIT still waiting for the standby must not hold up the cleanup: it goes first.
    t.defer(() =>
      env.primary.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = $1 AND wait_event = 'SyncRep'",
        [w.pid],
      ),
    );
    await w.session.query(`SET synchronous_commit = ${w.session.escapeLiteral(level)}`);
    // As in step sync-levels: a later commit on the control session returns once the standby has
    // flushed past the payment's; if the payment's COMMIT still waits then, it waits for replay.
    const { outcome, pending } = await attempt(
      env,
      w,
      `INSERT INTO ${table} VALUES (1, 4200)`,
      () => env.primary.query('SELECT pg_current_xact_id()'),
    );
    let visible = outcome === 'returned' ? await count(env.standby, table) : undefined;
    t.show(
      `with ${env.standbyName}'s replay paused, INSERT … COMMIT at synchronous_commit = ${level}`,
      outcome === 'returned' ? `returned; the standby shows ${visible} rows` : outcome,
    );
    t.check(
      "with the standby's replay paused, the payment's COMMIT does not return before the payment is visible there",
      outcome === 'waits in SyncRep',
      `COMMIT returned while the standby showed ${visible} rows`,
    );
    await resumeReplay(env.standby);
    if (outcome !== 'returned') {
      const done = await Promise.race([
        pending.then(
          () => true,
          () => true,
        ),
        delay(COMMIT_BOUND_MS, false, { ref: false }),
      ]);
      visible = done ? await count(env.standby, table) : undefined;
    }
    t.check(
      'once the standby replays, COMMIT returns and the standby shows the payment at that moment',
      visible === 1,
      visible === undefined
        ? `COMMIT had not returned ${COMMIT_BOUND_MS / 1000} s after replay resumed`
        : `the standby showed ${visible} rows when COMMIT returned`,
    );
  },
  hints: [
    {
      claim: 'the primary waits for a standby',
      ladder: [
        'No standby is synchronous: the primary confirms a payment before any standby has it.',
        'Streaming replication is asynchronous until synchronous_standby_names names a standby, by the application_name it connects with; synchronous_commit alone changes nothing while that list is empty (PostgreSQL docs, runtime-config-replication: synchronous_standby_names; notes/replication.md, "Synchronous commit levels").',
        "synchronous_standby_names = 'standby1' (or 'ANY 1 (standby1)', or '*' for any standby).",
      ],
    },
    {
      claim: "with the standby's replay paused, the payment's COMMIT does not return",
      ladder: [
        'COMMIT returned while the standby could not apply the payment: a receipt page reading the standby then would not find it.',
        "synchronous_commit says how far a synchronous standby must have the commit before COMMIT returns: remote_write (written to its OS), on (flushed to its disk), remote_apply (replayed: visible to its queries). Only the last makes the standby's reads see it (PostgreSQL docs, runtime-config-wal: synchronous_commit).",
        'synchronous_commit = remote_apply, with standby1 synchronous.',
      ],
    },
    {
      claim: 'once the standby replays, COMMIT returns',
      ladder: [
        'The payment was not on the standby when its COMMIT returned, or COMMIT never returned: does synchronous_standby_names name the standby that is connected (standby1)?',
      ],
    },
  ],
  wrong: [
    {
      case: 'names-only',
      fails: "with the standby's replay paused, the payment's COMMIT does not return",
      why: 'synchronous_commit = on waits for the standby to flush the commit, not to replay it: it is on its disk but not yet visible to its reads',
    },
    {
      case: 'remote-apply-only',
      fails: 'the primary waits for a standby',
      why: 'remote_apply with an empty synchronous_standby_names waits for no standby at all',
    },
  ],
});
