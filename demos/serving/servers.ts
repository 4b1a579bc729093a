// Starting the run's servers: Debian's uvicorn serving app.py, the Node app, and a redis-server of
// the run's own (never the machine's shared one). Each binds 127.0.0.1 on a free port; redis and
// uvicorn cannot bind port 0 and report it, so the kit picks a free port for them.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../kit/net.ts';
import { demoDir } from '../kit/paths.ts';
import { findBinary } from '../kit/probes.ts';
import type { Processes, Server } from './procs.ts';

/** How long a server may take to say it is ready (a bound, not a wait: readiness ends it). */
const STARTUP_BOUND_MS = 60_000;

/** Debian's Python: the one that sees python3-fastapi and friends (pyenv's does not). */
const PYTHON = '/usr/bin/python3';

export interface Started {
  server: Server;
  port: number;
  /** http://127.0.0.1:<port> (redis: redis://…). */
  url: string;
}

export async function startRedis(procs: Processes, dir: string): Promise<Started> {
  const bin = findBinary('redis-server');
  if (!bin) throw new Error('redis-server is not installed (apt-get install redis-server)');
  const port = await freePort();
  const server = procs.start('redis-server', bin, [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--daemonize',
    'no',
  ]);
  await server.waitFor(/Ready to accept connections/, STARTUP_BOUND_MS);
  return { server, port, url: `redis://127.0.0.1:${port}` };
}

/** What uvicorn serves: the demo's app.py unless a lab names its own app (lab_app.py). */
interface AppSpec {
  /** `module:attribute` in this folder. */
  app: string;
  /** More environment for the app (LAB_FILE: the learner's module). */
  env?: NodeJS.ProcessEnv;
}

/** uvicorn serving app.py; with `workers` > 1, a supervisor and that many worker processes. */
export async function startFastApi(
  procs: Processes,
  redisUrl: string,
  workers = 1,
  spec: AppSpec = { app: 'app:app' },
): Promise<Started> {
  const port = await freePort();
  const many = workers > 1 ? ['--workers', String(workers)] : [];
  const server = procs.start(
    'uvicorn',
    PYTHON,
    [
      '-m',
      'uvicorn',
      spec.app,
      '--app-dir',
      demoDir('serving'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--no-access-log',
      ...many,
    ],
    // No __pycache__ in the checkout (or in a learner's folder).
    { ...spec.env, REDIS_URL: redisUrl, PYTHONDONTWRITEBYTECODE: '1' },
  );
  // Each worker process says so once its app is up. Each is a fresh Python importing FastAPI: on a
  // loaded 2-core machine that took over 15 s, so the bound is generous.
  await server.waitFor(
    new RegExp(`(Application startup complete[\\s\\S]*){${workers}}`),
    STARTUP_BOUND_MS,
  );
  // One worker says its app is up before it binds the port ("Uvicorn running on" comes after the
  // bind); a supervisor binds before it starts its workers. A connection sent in between is refused.
  await server.waitFor(/Uvicorn running on/, STARTUP_BOUND_MS);
  return { server, port, url: `http://127.0.0.1:${port}` };
}

/** A Node program of this folder that prints `listening <port>` once it serves. */
export async function startNode(
  procs: Processes,
  file: string,
  args: string[] = [],
): Promise<Started> {
  const server = procs.start(file, process.execPath, [join(demoDir('serving'), file), ...args]);
  const port = Number((await server.waitFor(/listening (\d+)/, STARTUP_BOUND_MS))[1]);
  return { server, port, url: `http://127.0.0.1:${port}` };
}

/** `redis-cli -p <port> <args…>`: Redis's own client, for what the demo reads from the server. */
export function redisCli(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('redis-cli', ['-p', String(port), ...args], { timeout: 5000 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout.trim()),
    );
  });
}

/** The numeric fields of `INFO stats` (keyspace_hits, keyspace_misses, expired_keys, …). */
export async function redisStats(port: number): Promise<Record<string, number>> {
  const text = await redisCli(port, 'INFO', 'stats');
  const stats: Record<string, number> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^(\w+):(\d+)$/.exec(line);
    if (m) stats[m[1] as string] = Number(m[2]);
  }
  return stats;
}
