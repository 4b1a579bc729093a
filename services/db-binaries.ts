// Database server binaries from Maven Central, for the native postgres17 and mariadb114 services:
// the jar fetched once with Maven into the per-user cache, the server tree extracted once next to
// it, run as the server user (server-user.ts: under root the `postgres` OS user, with the binaries
// and the data in that user's own cache and state folders).

import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../demos/kit/net.ts';
import { isolatedLayout } from './isolated.ts';
import { run } from './kafka-jars.ts';
import type { Layout } from './layout.ts';
import { mavenFetch } from './maven.ts';
import { ServiceError } from './proc.ts';
import { asServerUser, type ServerHome } from './server-user.ts';

// The server user's folders and commands, where the launchers and the kit have always found them.
export { asServerUser, type ServerHome, serverPlace } from './server-user.ts';

const exec = promisify(execFile);

/** A Maven artifact holding a server: `group:artifact:version`, and what to call it in messages. */
export interface Artifact {
  coords: string;
  name: string;
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
