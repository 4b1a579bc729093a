// A throwaway standby for what must not happen to the service's own: being stopped, cut off,
// promoted. pg_basebackup of the (small) primary with its own slot, on a free loopback port;
// removed with its slot when the step ends, and swept by name if a run died first.

import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import {
  logFile,
  makeStandby,
  startServer,
  stopServer,
} from '../../services/replication-native.ts';
import type { StepContext } from '../kit/define.ts';
import { runName } from '../kit/names.ts';
import { freePort } from '../kit/net.ts';
import { waitFor } from '../kit/wait.ts';
import type { Env } from './env.ts';
import { connect, one, SETTLE_MS, waitForRow } from './pg.ts';

interface Throwaway {
  /** Its slot, cluster_name and application_name. */
  name: string;
  /** A session on it (reconnected after a restart). */
  client: () => pg.Client;
  /** pg_ctl stop -m fast: the primary loses the standby. */
  stop: () => Promise<void>;
  /** pg_ctl start, and wait until it streams again. */
  start: () => Promise<void>;
  /** Cut it off while it keeps serving reads: primary_conninfo emptied, the WAL receiver stops. */
  isolate: () => Promise<void>;
  /** Give it its primary_conninfo back, and wait until it streams again. */
  heal: () => Promise<void>;
}

/** Removals in progress or done, by name: a step's cleanup and closeEnv may both ask. */
const removals = new Map<string, Promise<void>>();
/** pg_basebackup + start in progress, by name: a removal waits for it (it runs on after Ctrl-C). */
const builds = new Map<string, Promise<void>>();

/** Stops throwaway `name` (if it runs), removes its folder, log and slot; once per name. */
function remove(env: Env, name: string): Promise<void> {
  let done = removals.get(name);
  if (!done) {
    done = (async () => {
      await builds.get(name)?.catch(() => undefined);
      const dataDir = join(env.layout.root, name);
      await stopServer(env.layout.home, dataDir, 'immediate');
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(logFile(dataDir), { force: true });
      // Its WAL sender ends a moment after the standby is gone; only then can the slot go.
      await waitFor(`slot ${name} to be released`, async () => {
        const { rows } = await env.primary.query<{ active: boolean }>(
          'SELECT active FROM pg_replication_slots WHERE slot_name = $1',
          [name],
        );
        if (!rows[0]) return true;
        if (rows[0].active) return undefined;
        await env.primary.query('SELECT pg_drop_replication_slot($1)', [name]);
        return true;
      });
    })();
    removals.set(name, done);
  }
  return done;
}

/** Removes every throwaway standby (folder or slot) whose name `matches`; returns how many. */
export async function removeThrowaways(env: Env, matches: (name: string) => boolean) {
  const dirs = readdirSync(env.layout.root).filter((d) => !d.endsWith('.log'));
  const { rows } = await env.primary.query<{ s: string }>(
    "SELECT slot_name AS s FROM pg_replication_slots WHERE slot_name LIKE 'wn\\_replication\\_%'",
  );
  const names = new Set([...dirs, ...rows.map((r) => r.s)].filter(matches));
  for (const n of names) await remove(env, n);
  return names.size;
}

export async function throwaway(t: StepContext, env: Env): Promise<Throwaway> {
  const name = runName('replication');
  const dataDir = join(env.layout.root, name);
  const port = await freePort(env.layout.primary.host);
  const url = `postgres://postgres@${env.layout.primary.host}:${port}/postgres`;
  let session: pg.Client | undefined;
  t.defer(async () => {
    await session?.end().catch(() => undefined);
    await remove(env, name);
  });
  t.waiting(`pg_basebackup -R -C -S ${name} (a throwaway standby on port ${port})`);
  const build = makeStandby(env.layout, { dataDir, port, name });
  builds.set(name, build);
  await build;
  const streaming = () =>
    waitForRow(env.primary, name, "'streaming'", (r) => r?.state === 'streaming');
  const reconnect = async () => {
    await session?.end().catch(() => undefined);
    session = await connect(url, 'throwaway');
  };
  await streaming();
  await reconnect();
  let conninfo: string | undefined;
  return {
    name,
    client: () => session as pg.Client,
    stop: async () => {
      await session?.end().catch(() => undefined);
      await stopServer(env.layout.home, dataDir);
      await waitForRow(env.primary, name, 'gone', (r) => r === undefined);
    },
    start: async () => {
      await startServer(env.layout.home, dataDir);
      await reconnect();
      await streaming();
    },
    isolate: async () => {
      const s = session as pg.Client;
      conninfo = (await one<{ c: string }>(s, "SELECT current_setting('primary_conninfo') AS c")).c;
      await s.query("ALTER SYSTEM SET primary_conninfo = ''");
      await s.query('SELECT pg_reload_conf()');
      await waitForRow(env.primary, name, 'gone', (r) => r === undefined);
      await waitFor(
        'its WAL receiver to stop',
        async () =>
          (await s.query('SELECT 1 FROM pg_stat_wal_receiver')).rowCount === 0 ? true : undefined,
        { timeoutMs: SETTLE_MS },
      );
    },
    heal: async () => {
      const s = session as pg.Client;
      await s.query(`ALTER SYSTEM SET primary_conninfo = ${s.escapeLiteral(conninfo ?? '')}`);
      await s.query('SELECT pg_reload_conf()');
      await streaming();
    },
  };
}
