// A throwaway PostgreSQL 15 cluster: initdb'd under the run's directory, run in the foreground as
// the `postgres` OS user (the server refuses root) on a free port, so the demo signals the
// postmaster itself and reads its log from stderr. Removed with the run's directory.

import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../kit/net.ts';
import { type Exit, endedWithin, type Proc, type Processes } from './harness.ts';

const PG_BIN = '/usr/lib/postgresql/15/bin';

interface Cluster {
  port: number;
  /** Starts the postmaster and waits until it accepts connections. */
  start(): Promise<Proc>;
  client(): Promise<pg.Client>;
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
  return { uid: id('-u'), gid: id('-g') };
}

async function ran(p: Proc): Promise<Exit> {
  // Ended: initdb's last line (the reason it failed) may arrive after its exit.
  const exit = (await endedWithin(p, 60_000)) ?? { code: null, signal: null };
  if (exit.code !== 0) throw new Error(`initdb failed: ${p.output().trim().split('\n').at(-1)}`);
  return exit;
}

export async function initCluster(procs: Processes, dir: string): Promise<Cluster> {
  // PostgreSQL refuses to run as root: as root, run it as `postgres`; otherwise as ourselves.
  const user = process.getuid?.() === 0 ? postgresUser() : undefined;
  const home = join(dir, 'pg');
  const data = join(home, 'data');
  mkdirSync(home, { recursive: true });
  if (user) chownSync(home, user.uid, user.gid);
  const as = { ...user, cwd: home };
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
  const args = ['-D', data, '-p', String(port), '-k', home, '-c', 'listen_addresses=127.0.0.1'];
  return {
    port,
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
