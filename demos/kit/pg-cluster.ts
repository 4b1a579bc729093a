// Throwaway PostgreSQL clusters for demos that must own the whole server (a small max_connections,
// WAL archiving, a crash): initdb'd (or copied from another with pg_basebackup, or restored by the
// caller) into a per-run folder, started with pg_ctl on a free loopback port, stopped and removed
// at teardown. PostgreSQL refuses root, so under root every binary runs as the `postgres` OS user,
// and the folders live where that user can reach them (its own state folder when ours, under
// root's home, is closed).
//
// Each cluster's folder is named by runName(topic); anything else a demo runs for the cluster
// (a PgBouncer) keeps its pidfile in the same folder. The next run of the topic sweeps a dead
// run's folders: stops what their pidfiles name, then removes them.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { asServerUser, type ServerHome, serverPlace } from '../../services/db-binaries.ts';
import { alive, tail, terminate } from '../../services/proc.ts';
import { isStale, runName } from './names.ts';
import { freePort } from './net.ts';
import { cacheDir, stateDir } from './variables.ts';

/** Debian's PostgreSQL 15 server binaries (the package postgresql-15). */
const PG15_BIN = '/usr/lib/postgresql/15/bin';
const HOST = '127.0.0.1';
const TOOL_TIMEOUT_MS = 120_000;
/** A free port can be taken between our probe and the server's bind: try again on another. */
const BIND_ATTEMPTS = 3;

export interface ClusterOptions {
  /** The topic that owns it: names its folder, and lets the topic's next run sweep it. */
  topic: string;
  /** The folder of initdb, pg_ctl, postgres and the client tools. */
  bin?: string;
  /** More initdb options (`--wal-segsize=1`: 1 MB WAL files, for small backups). */
  initdb?: string[];
  /** Lines for postgresql.conf (port, addresses and socket folder are set already). */
  settings?: Record<string, string | number>;
  /** A running cluster to copy with pg_basebackup instead of initdb (`-R`: a standby). */
  copyOf?: { cluster: Cluster; standby: boolean };
  /** Or fills data/ itself, e.g. with pg_combinebackup (run tools with the cluster's `run`). */
  restore?: (data: string, cluster: Cluster) => Promise<void>;
  /** false: leave it stopped (a base backup to restore later, after adding recovery settings). */
  start?: boolean;
}

export interface Cluster {
  name: string;
  /** The run folder: data/, the server log, the socket, and the pidfiles of its companions. */
  dir: string;
  data: string;
  port: number;
  bin: string;
  /** Who runs the servers (the `postgres` OS user under root). */
  home: ServerHome;
  /** A connected client (errors on the connection are read off queries, not thrown). */
  connect(user?: string, database?: string): Promise<pg.Client>;
  /** Runs a binary of `bin` (or an absolute path) as the server user; resolves with stdout. */
  run(program: string, args: string[], timeoutMs?: number): Promise<string>;
  appendSettings(settings: Record<string, string | number>): void;
  start(): Promise<void>;
  /** pg_ctl stop -m fast: sessions are ended, a shutdown checkpoint is written. */
  stop(): Promise<void>;
  /** Stops everything in the folder (the server, companions by pidfile) and deletes it. */
  remove(): Promise<void>;
  log(): string;
}

/** Where clusters live, and who runs them. */
function place(): { home: ServerHome; root: string } {
  const { home, dir } = serverPlace(
    { cache: cacheDir(), dir: join(stateDir(), 'clusters') },
    'clusters',
  );
  return { home, root: dir };
}

/** Runs `command` as the server user in `cwd`, in its own process group (a Ctrl-C is ours). */
function runAs(
  home: ServerHome,
  command: string,
  args: string[],
  cwd: string,
  timeoutMs = TOOL_TIMEOUT_MS,
): Promise<string> {
  const [cmd, argv] = asServerUser(home, command, args);
  // Under another user, our HOME would be its libpq's: it looks for ~/.pgpass there.
  const { HOME: _ours, ...env } = process.env;
  const child = spawn(cmd, argv, {
    cwd,
    env: { ...(home.user ? env : process.env), LC_ALL: 'C' },
    timeout: timeoutMs,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) return resolve(stdout);
      // PostgreSQL's tools print "<tool>: error: …" (or, for a bad option, "<path>: unrecognized
      // option …"), then hints and what they cleaned up: the first of those says why.
      const tool = `${command.split('/').pop()}: `;
      const lines = `${stderr}${stdout}`.trim().split('\n');
      const why =
        lines.find((l) => /^\S+: error: /.test(l)) ??
        lines.find((l) => l.includes(tool)) ??
        lines.at(-1);
      reject(
        new Error(
          `${command.split('/').pop()} ${args[0] ?? ''}: ${why || `exit ${code ?? signal}`}`,
        ),
      );
    });
  });
}

function confLines(settings: Record<string, string | number>): string {
  return Object.entries(settings)
    .map(([k, v]) => (typeof v === 'number' ? `${k} = ${v}` : `${k} = '${v.replace(/'/g, "''")}'`))
    .join('\n');
}

/** The pid a pidfile names (its first line), if the file is there. */
function pidIn(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Ends every process a pidfile in `dir` (or data/postmaster.pid) names, if it still runs there. */
async function stopAll(dir: string): Promise<void> {
  const files = [join(dir, 'data', 'postmaster.pid')];
  if (existsSync(dir)) {
    files.push(
      ...readdirSync(dir)
        .filter((f) => f.endsWith('.pid'))
        .map((f) => join(dir, f)),
    );
  }
  for (const file of files) {
    const pid = pidIn(file);
    // Its command line names the folder (postgres -D …/data, pgbouncer …/x.ini): not a reused pid.
    // SIGQUIT is PostgreSQL's immediate shutdown; PgBouncer treats SIGTERM as immediate.
    if (pid && alive(pid, dir)) {
      if (file.endsWith('postmaster.pid')) {
        try {
          process.kill(pid, 'SIGQUIT');
        } catch {}
      }
      await terminate(pid, dir, 10_000);
    }
  }
}

/** Clusters of this process, so a teardown (or Ctrl-C) can remove the ones a step left. */
const mine = new Map<string, Cluster>();
/**
 * Set by removeMyClusters: an interrupted step runs on while the teardown removes its clusters,
 * and must not start another one then. A demo's setup (sweepClusters) opens the way again.
 */
let closed = false;

export async function createCluster(options: ClusterOptions): Promise<Cluster> {
  const { home, root } = place();
  const name = runName(options.topic);
  const dir = join(root, name);
  const data = join(dir, 'data');
  const bin = options.bin ?? options.copyOf?.cluster.bin ?? PG15_BIN;
  const tool = (p: string) => (p.startsWith('/') ? p : join(bin, p));
  let port = await freePort(HOST);
  let removing: Promise<void> | undefined;
  let building: Promise<void> | undefined;
  const cluster: Cluster = {
    name,
    dir,
    data,
    bin,
    home,
    get port() {
      return port;
    },
    connect: async (user = 'postgres', database = 'postgres') => {
      const c = new pg.Client({
        host: HOST,
        port,
        user,
        database,
        connectionTimeoutMillis: 10_000,
      });
      c.on('error', () => undefined);
      await c.connect();
      return c;
    },
    run: (program, args, timeoutMs) => runAs(home, tool(program), args, dir, timeoutMs),
    appendSettings: (settings) => {
      const file = join(data, 'postgresql.conf');
      writeFileSync(file, `${readFileSync(file, 'utf8')}\n${confLines(settings)}\n`);
    },
    start: async () => {
      for (let attempt = 1; ; attempt++) {
        cluster.appendSettings({ port });
        try {
          await cluster.run('pg_ctl', ['start', '-D', data, '-l', cluster.log(), '-w', '-t', '60']);
          return;
        } catch (err) {
          const log = tail(cluster.log(), 5);
          if (attempt < BIND_ATTEMPTS && /could not bind|Address already in use/.test(log)) {
            port = await freePort(HOST);
            continue;
          }
          throw new Error(`${(err as Error).message}; server log:\n${log}`);
        }
      }
    },
    stop: async () => {
      if (!existsSync(join(data, 'postmaster.pid'))) return;
      await cluster.run('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w', '-t', '60']);
    },
    remove: () => {
      removing ??= (async () => {
        await building?.catch(() => undefined);
        await stopAll(dir);
        rmSync(dir, { recursive: true, force: true });
        mine.delete(name);
      })();
      return removing;
    },
    log: () => join(dir, 'server.log'),
  };
  // Checked after the last await above: either the teardown sees this cluster, or it is refused.
  if (closed) throw new Error(`not starting cluster ${name}: the run is being torn down`);
  mine.set(name, cluster);
  // A removal (a Ctrl-C) waits for the build: initdb and pg_basebackup run on in their own
  // process group, and would write into a folder being deleted.
  building = build(cluster, options);
  await building;
  return cluster;
}

/** The cluster's folder, its data directory (initdb or pg_basebackup), its settings; started. */
async function build(cluster: Cluster, options: ClusterOptions): Promise<void> {
  const { dir, data } = cluster;
  await runAs(cluster.home, 'mkdir', ['-m', '700', dir], dirname(dir));
  if (options.restore) {
    await options.restore(data, cluster);
  } else if (options.copyOf) {
    const from = options.copyOf.cluster;
    const args = ['-h', HOST, '-p', String(from.port), '-U', 'postgres', '-D', data];
    await cluster.run('pg_basebackup', [
      ...args,
      '-X',
      'stream',
      '--checkpoint=fast',
      '--no-sync',
      ...(options.copyOf.standby ? ['-R'] : []),
    ]);
  } else {
    const init = ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'];
    await cluster.run('initdb', [
      ...init,
      '--locale=C',
      '--no-instructions',
      ...(options.initdb ?? []),
    ]);
  }
  cluster.appendSettings({
    listen_addresses: HOST,
    unix_socket_directories: dir,
    ...options.settings,
  });
  if (options.start !== false) await cluster.start();
}

/**
 * Removes every cluster this process made that is still there (a teardown, after Ctrl-C): the
 * newest first, so a copy being made (pg_basebackup) finishes before its source stops.
 */
export async function removeMyClusters(): Promise<void> {
  closed = true;
  for (const c of [...mine.values()].reverse()) await c.remove();
}

/**
 * Removes what dead runs of `topic` left (clusters and their companions); returns how many. A
 * demo's setup calls it first, which also lets this process make clusters again after a teardown.
 */
export async function sweepClusters(topic: string): Promise<number> {
  closed = false;
  const { root } = place();
  const stale = readdirSync(root).filter((n) => isStale(n, topic));
  for (const n of stale) {
    const dir = join(root, n);
    await stopAll(dir);
    rmSync(dir, { recursive: true, force: true });
  }
  return stale.length;
}

/**
 * For a lab's check: sweeps what dead runs of `topic` left, and has the check's cleanup (t.defer)
 * remove every cluster this process made, one still being built included, so a check stopped by
 * Ctrl-C or its time limit leaves none behind.
 */
export async function clustersForCheck(
  t: { defer(fn: () => unknown): void },
  topic: string,
): Promise<void> {
  await sweepClusters(topic);
  t.defer(() => removeMyClusters());
}
