// The OS user database servers run as, and where their files go. PostgreSQL refuses root, and
// root's home (mode 0700) is closed to other users, so under root the servers run as the
// `postgres` OS user with their binaries and data in that user's own cache and state folders
// (ours where that user can reach them, as a test's folder under /tmp). A module of its own, with
// no service imports, so the registry of needs can probe binaries as that user.

import { chownSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { reachableByAll, systemUser } from '../demos/kit/system-user.ts';
import { cacheDir, stateDir } from '../demos/kit/variables.ts';
import { ServiceError } from './proc.ts';

/** Who runs the server and where its files go. */
export interface ServerHome {
  /** The OS user under root (`postgres`); undefined when we are not root and run it ourselves. */
  user?: { name: string; uid: number; gid: number };
  /** Binaries, extracted once: the user's cache folder. */
  cache: string;
  /** Data and sockets: the user's state folder. */
  state: string;
}

const SERVER_USER = 'postgres';

/**
 * Our own folders, or under root the `postgres` user's: ours where it can reach them (a test's
 * folder under /tmp), else its own cache and state folders (root's home is closed to it).
 */
function serverHome(cache: string, state: string): ServerHome {
  if (process.getuid?.() !== 0) return { cache, state };
  const user = systemUser(SERVER_USER);
  if (!user?.home) {
    throw new ServiceError(
      `the database servers refuse to run as root and there is no \`${SERVER_USER}\` user to run them: create one (\`useradd --system --create-home ${SERVER_USER}\`) or run as another user`,
    );
  }
  return {
    user: { name: user.name, uid: user.uid, gid: user.gid },
    cache: reachableByAll(cache) ? cache : join(user.home, '.cache', 'wirenotes'),
    state: reachableByAll(state) ? state : join(user.home, '.local', 'state', 'wirenotes'),
  };
}

/** This user's server home: who runs the servers, where their binaries and data go. */
export function userServerHome(): ServerHome {
  return serverHome(cacheDir(), stateDir());
}

/** The home's cache folder, made (owned by the server user) when it is missing. */
export function ownedCache(h: ServerHome): string {
  ownedDir(h, h.cache);
  return h.cache;
}

/**
 * Where a native server lives: its user's folders, `<state>/<name>/` with `data/` inside. `ctx` is
 * the launcher's context (its own folder in our state, our cache).
 */
export function serverPlace(ctx: { cache: string; dir: string }, name: string) {
  const home = serverHome(ctx.cache, join(ctx.dir, '..'));
  const dir = join(home.state, name);
  ownedDir(home, dir);
  ownedDir(home, home.cache);
  return { home, dir, data: join(dir, 'data') };
}

/** A folder owned by the server user, with the parents it had to create. */
function ownedDir(h: ServerHome, dir: string): void {
  const first = mkdirSync(dir, { recursive: true, mode: 0o700 }) ?? dir;
  if (!h.user) return;
  for (let d = dir; d.startsWith(first); d = dirname(d)) {
    chownSync(d, h.user.uid, h.user.gid);
    if (d === first) break;
  }
}

/** `command args` as the server user: setpriv execs, so the pid stays the server's own. */
export function asServerUser(h: ServerHome, command: string, args: string[]): [string, string[]] {
  if (!h.user) return [command, args];
  return [
    'setpriv',
    [
      '--reuid',
      String(h.user.uid),
      '--regid',
      String(h.user.gid),
      '--init-groups',
      command,
      ...args,
    ],
  ];
}
