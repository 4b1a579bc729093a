// A throwaway PostgreSQL 15 cluster, run in the foreground as the `postgres` OS user (the server
// refuses root) on a free port, so the demo signals the postmaster itself and reads its log from
// stderr. Its folder is where that user can reach it (the rule of services/db-binaries.ts, as for
// the services' own servers): not under the checkout, which may sit in a folder closed to other
// users (mode 700, as root's home is). Removed by the step; a dead run's is swept by the next.

import { chownSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { serverPlace } from '../../services/db-binaries.ts';
import { isStale } from '../kit/names.ts';
import { freePort } from '../kit/net.ts';
import { cacheDir, stateDir } from '../kit/variables.ts';
import { type Exit, endedWithin, type Proc, type Processes } from './harness.ts';

const PG_BIN = '/usr/lib/postgresql/15/bin';

interface Cluster {
  port: number;
  /** Its folder: data/ and the socket. */
  dir: string;
  /** Starts the postmaster and waits until it accepts connections. */
  start(): Promise<Proc>;
  client(): Promise<pg.Client>;
  /** Deletes its folder (stop the postmaster first). */
  remove(): void;
}

/**
 * The folder for this run's cluster, owned by the server user, in the server user's state folder
 * when ours is closed to it; dead runs' folders there are removed first (their processes were
 * killed by openEnv's sweep, which finds them by the run's mark).
 */
function clusterFolder(run: string) {
  const { home, dir: root } = serverPlace(
    { cache: cacheDir(), dir: join(stateDir(), 'signals') },
    'signals',
  );
  for (const n of readdirSync(root).filter((n) => isStale(n, 'signals'))) {
    rmSync(join(root, n), { recursive: true, force: true });
  }
  const dir = join(root, run);
  mkdirSync(dir, { mode: 0o700 });
  if (home.user) chownSync(dir, home.user.uid, home.user.gid);
  return { user: home.user, dir };
}

async function ran(p: Proc): Promise<Exit> {
  // Ended: initdb's last line (the reason it failed) may arrive after its exit.
  const exit = (await endedWithin(p, 60_000)) ?? { code: null, signal: null };
  if (exit.code !== 0) throw new Error(`initdb failed: ${p.output().trim().split('\n').at(-1)}`);
  return exit;
}

export async function initCluster(procs: Processes): Promise<Cluster> {
  const { user, dir } = clusterFolder(procs.runName);
  const data = join(dir, 'data');
  const as = { uid: user?.uid, gid: user?.gid, cwd: dir };
  await ran(
    procs.start(
      join(PG_BIN, 'initdb'),
      [
        '-D',
        data,
        '-U',
        'postgres',
        '--auth=trust',
        '--no-sync',
        '--no-instructions',
        '-E',
        'UTF8',
        '--locale=C',
      ],
      as,
    ),
  );
  const port = await freePort();
  const args = ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1'];
  return {
    port,
    dir,
    remove: () => rmSync(dir, { recursive: true, force: true }),
    start: async () => {
      const p = procs.start(join(PG_BIN, 'postgres'), args, as);
      await p.waitFor(/database system is ready to accept connections/, 30_000);
      return p;
    },
    client: async () => {
      const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
      // A shutdown ends connections: the error is read off the query, not thrown at the process.
      c.on('error', () => {});
      await c.connect();
      return c;
    },
  };
}
