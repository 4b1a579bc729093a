// Lab: the profile page that shows the old name right after a save. The learner's saveName and
// loadName run against the demo's pair as step `read-your-writes` runs its client: with the
// standby's replay paused (pauseReplay), then resumed and caught up (replayedWithin). Their
// sessions are their own; the check records which server each SELECT of the table went to.

import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import type pg from 'pg';
import { defineLab } from '../../../kit/lab.ts';
import { replicatedTable } from '../../env.ts';
import { labPair } from '../../lab-pair.ts';
import {
  connect,
  currentLsn,
  pauseReplay,
  replayedWithin,
  resumeReplay,
  SETTLE_MS,
} from '../../pg.ts';

interface Db {
  primary: pg.Client;
  standby: pg.Client;
  table: string;
}
interface Profile {
  saveName: (db: Db, id: number, name: string) => Promise<string | undefined>;
  loadName: (db: Db, id: number, session?: string) => Promise<string>;
}

/** How long a page may take to load while the standby does not replay. */
const PAGE_BOUND_MS = 2000;

/** `client`, with the text of every query it is sent appended to `log`. */
function recorded(client: pg.Client, log: string[]): pg.Client {
  return new Proxy(client, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop !== 'query') return typeof value === 'function' ? value.bind(target) : value;
      return (...args: Parameters<pg.Client['query']>) => {
        const [q] = args as unknown[];
        log.push(typeof q === 'string' ? q : String((q as { text?: string })?.text));
        return (target.query as (...a: unknown[]) => unknown)(...args);
      };
    },
  });
}

/** The page's name, or undefined when loadName is still running after PAGE_BOUND_MS. */
async function within(load: Promise<string>): Promise<{ name?: string }> {
  const settled = load.then((name) => ({ name }));
  settled.catch(() => undefined);
  return Promise.race([settled, delay(PAGE_BOUND_MS, {}, { ref: false })]);
}

export const lab = defineLab(import.meta.url, {
  id: 'read-your-writes',
  title: 'Saved, and still the old name',
  task: 'Right after saving their name, users see the old one: the page reads a standby. Make profile.ts show users their own saves, and keep reads on the standby.',
  section: 'read-your-writes',
  files: ['profile.ts'],
  needs: ['replication'],
  startFails: 'right after the save, with replay paused, the page shows the name just saved',
  check: async (t, dir) => {
    const mod = (await import(pathToFileURL(`${dir}/profile.ts`).href)) as Partial<Profile>;
    const { saveName, loadName } = mod;
    if (typeof saveName !== 'function' || typeof loadName !== 'function')
      throw new Error('profile.ts must export the functions saveName and loadName');
    const env = await labPair(t);
    const table = await replicatedTable(env, 'id int PRIMARY KEY, name text');
    await env.primary.query(`INSERT INTO ${table} VALUES (1, 'Ada')`);
    if (!(await replayedWithin(env.standby, await currentLsn(env.primary), SETTLE_MS)))
      throw new Error('the standby did not replay the first row');
    const primaryLog: string[] = [];
    const sessions = await Promise.all([
      connect(env.layout.primary.url, 'lab-primary'),
      connect(env.layout.standby.url, 'lab-standby'),
    ]);
    t.defer(() => Promise.all(sessions.map((s) => s.end().catch(() => undefined))));
    const db: Db = {
      primary: recorded(sessions[0], primaryLog),
      standby: sessions[1],
      table,
    };

    await pauseReplay(t, env.standby);
    const session = await saveName(db, 1, 'Ada Lovelace');
    const lagging = await within(loadName(db, 1, session));
    t.show('replay paused: saveName, then loadName', lagging.name ?? '(still loading)');
    t.check(
      `right after the save, with replay paused, the page loads within ${PAGE_BOUND_MS / 1000} s`,
      'name' in lagging,
      `loadName was still running after ${PAGE_BOUND_MS / 1000} s`,
    );
    t.equal(
      'right after the save, with replay paused, the page shows the name just saved',
      lagging.name,
      'Ada Lovelace',
    );

    await resumeReplay(env.standby);
    const next = await saveName(db, 1, 'Ada King');
    if (!(await replayedWithin(env.standby, await currentLsn(env.primary), SETTLE_MS)))
      throw new Error('the standby did not replay the second save');
    primaryLog.length = 0;
    const caughtUp = await within(loadName(db, 1, next));
    const onPrimary = primaryLog.filter((q) => /\bselect\b/i.test(q) && q.includes(table));
    t.show('replay caught up: saveName, then loadName', caughtUp.name ?? '(still loading)');
    t.check(
      'once the standby has replayed the save, the page shows it, read from the standby (no SELECT of the table on the primary)',
      caughtUp.name === 'Ada King' && onPrimary.length === 0,
      `the page showed ${caughtUp.name ?? '(nothing in time)'}; the primary was sent: ${onPrimary.join('; ') || 'nothing'}`,
    );
  },
  hints: [
    {
      claim: 'right after the save, with replay paused, the page loads within',
      ladder: [
        'The page waited for the standby and did not come back: while its replay is paused (or far behind) it never catches up.',
        'Waiting for the standby needs a deadline, and a plan for when it passes (notes/replication.md, "Read-your-writes").',
        'Wait a few hundred milliseconds for pg_last_wal_replay_lsn() to reach the token; past that, read from the primary.',
      ],
    },
    {
      claim: 'right after the save, with replay paused, the page shows the name just saved',
      ladder: [
        'The page read the standby before it had replayed the save: it showed the old name.',
        'Asynchronous replication gives no bound on lag: a fixed sleep is a guess, and with replay paused no guess is long enough. Read-your-writes needs to know where the user\'s own write is: the WAL position (LSN) of its commit (notes/replication.md, "Read-your-writes").',
        'saveName: after the UPDATE, return pg_current_wal_lsn() (the session keeps it). loadName: read the standby once pg_last_wal_replay_lsn() >= that LSN; if it does not get there within a short deadline, read the primary.',
      ],
    },
    {
      claim: 'once the standby has replayed the save, the page shows it, read from the standby',
      ladder: [
        'Once the standby had caught up, the page still read from the primary (or did not show the save).',
        'Reading everything from the primary is correct but gives up what the standby is for: taking reads off the primary. Only a read the standby cannot serve yet should go there.',
        "Compare the standby's pg_last_wal_replay_lsn() with the LSN saveName returned: when it has reached it, the standby has the save.",
      ],
    },
  ],
  wrong: [
    {
      case: 'sleep',
      fails: 'right after the save, with replay paused, the page shows the name just saved',
      why: 'a fixed sleep guesses the lag; a standby that is further behind (here: paused) still shows the old name',
    },
    {
      case: 'primary-always',
      fails: 'once the standby has replayed the save, the page shows it, read from the standby',
      why: 'every read on the primary is correct but leaves the standby nothing to do',
    },
    {
      case: 'wait-forever',
      fails: 'right after the save, with replay paused, the page loads within',
      why: 'waiting for the LSN with no deadline hangs the page for as long as the standby lags',
    },
  ],
});
