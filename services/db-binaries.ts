// Database server binaries from Maven Central, for the native postgres17 and mariadb114 services:
// the jar fetched once with Maven into the per-user cache, the server tree extracted once next to
// it, and the non-root user the servers run as. Under root that is the `postgres` OS user
// (PostgreSQL refuses root, and root's home, mode 0700, is closed to it), so the binaries and the
// data then live in that user's own cache and state folders.

import { execFile } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../demos/kit/net.ts';
import { reachableByAll, systemUser } from '../demos/kit/system-user.ts';
import { isolatedLayout } from './isolated.ts';
import { run } from './kafka-jars.ts';
import type { Layout } from './layout.ts';
import { mavenFetch } from './maven.ts';
import { ServiceError } from './proc.ts';

const exec = promisify(execFile);

/** A Maven artifact holding a server: `group:artifact:version`, and what to call it in messages. */
export interface Artifact {
  coords: string;
  name: string;
}

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

/** Runs a setup command (initdb, the install script) to completion as the server user. */
export async function runAsServerUser(
  h: ServerHome,
  what: string,
  command: string,
  args: string[],
  cwd: string,
): Promise<void> {
  const [cmd, argv] = asServerUser(h, command, args);
  try {
    await exec(cmd, argv, { cwd, env: { ...process.env, LC_ALL: 'C' }, timeout: 120_000 });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    const last = (e.stderr || e.stdout || '').trim().split('\n').at(-1) || e.message;
    throw new ServiceError(`${what} failed: ${last}`);
  }
}

/** The artifact's jar in `cache`/jars, fetched with Maven the first time. */
export async function fetchJar(
  cache: string,
  a: Artifact,
  report: (line: string) => void,
): Promise<string> {
  const [, artifact, version] = a.coords.split(':');
  const dir = join(cache, 'jars');
  const jar = join(dir, `${artifact}-${version}.jar`);
  if (existsSync(jar)) return jar;
  mkdirSync(dir, { recursive: true });
  const partial = join(dir, `.partial-${artifact}`);
  rmSync(partial, { recursive: true, force: true });
  await mavenFetch(
    ['dependency:copy', `-Dartifact=${a.coords}`, `-DoutputDirectory=${partial}`],
    `${a.name} (${a.coords})`,
    report,
  );
  renameSync(join(partial, `${artifact}-${version}.jar`), jar);
  rmSync(partial, { recursive: true, force: true });
  return jar;
}

/**
 * Extracts the server tree into `dest` once: `unpack` runs in an empty folder (unzip, tar) and the
 * folder becomes `dest` only when it has finished, so an interrupted extraction starts over.
 */
export async function extractOnce(
  dest: string,
  what: string,
  unpack: (into: string) => Promise<void>,
): Promise<string> {
  if (existsSync(join(dest, '.complete'))) return dest;
  const partial = `${dest}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  await unpack(partial);
  writeFileSync(join(partial, '.complete'), `${what}\n`);
  rmSync(dest, { recursive: true, force: true });
  renameSync(partial, dest);
  return dest;
}

/** Runs an extraction tool; a failure is one ServiceError line. */
export async function tool(command: string, args: string[], cwd: string): Promise<void> {
  const { code, out } = await run(command, args, cwd);
  if (code !== 0) {
    throw new ServiceError(
      `${command} ${args[0] ?? ''}… failed (exit ${code}): ${out.trim().slice(-300)}`,
    );
  }
}

export interface Scratch {
  layout: Layout;
  /** Puts the environment back and removes the scratch state, data included. */
  restore: () => void;
}

/**
 * A scratch layout for the tests' and the benches' own servers: a fresh state folder the server
 * user can enter, and each named variable pointing at a free loopback port (`url(port)`).
 */
export async function scratchServers(
  prefix: string,
  urls: Record<string, (port: number) => string>,
): Promise<Scratch> {
  const layout = await isolatedLayout(prefix);
  // mkdtemp makes the folder 0700; under root the server user must pass through it.
  chmodSync(layout.dir, 0o711);
  const saved = Object.fromEntries(Object.keys(urls).map((k) => [k, process.env[k]]));
  for (const [k, url] of Object.entries(urls)) process.env[k] = url(await freePort());
  return {
    layout,
    restore: () => {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      rmSync(layout.dir, { recursive: true, force: true });
    },
  };
}

/** postgres17 and mariadb114 of their own, for the tests and the bench. */
export function scratchDatabases(prefix: string): Promise<Scratch> {
  return scratchServers(prefix, {
    PG17_URL: (port) => `postgres://postgres@127.0.0.1:${port}/postgres`,
    MARIADB114_URL: (port) => `mysql://root@127.0.0.1:${port}/test`,
  });
}
