// Our own nginx: the system binary in the foreground with a prefix under the run's directory and
// a free port, proxying to a slow Node upstream, never the shared instance on 8080. Each
// response names the worker that served it, so a reload is visible as a new worker pid.

import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { closeServer, freePort, listen } from '../kit/net.ts';
import { findBinary } from '../kit/probes.ts';
import type { Proc, Processes } from './harness.ts';

export interface Nginx {
  proc: Proc;
  port: number;
  /** Rewrites the configuration with a new `version` (served at /version); HUP makes it live. */
  configure(version: string): void;
}

/** The system nginx (Debian puts it in /usr/sbin, not on every PATH). */
function nginxBin(): string {
  const file = findBinary('nginx');
  if (!file) throw new Error('nginx is not installed (apt-get install nginx)');
  return file;
}

export function nginxVersion(): string {
  // nginx -v prints "nginx version: nginx/1.22.1" on stderr.
  const { stderr } = spawnSync(nginxBin(), ['-v'], { encoding: 'utf8' });
  return /nginx\/(\S+)/.exec(stderr)?.[1] ?? 'unknown';
}

function config(prefix: string, port: number, upstream: number, version: string): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((k) => `  ${k}_temp_path ${join(prefix, `${k}_temp`)};`)
    .join('\n');
  return `worker_processes 1;
pid ${join(prefix, 'nginx.pid')};
error_log stderr notice;
events { worker_connections 64; }
http {
  access_log off;
${temp}
  server {
    listen 127.0.0.1:${port};
    add_header X-Worker $pid always;
    location /version { return 200 "${version}\\n"; }
    location / { proxy_pass http://127.0.0.1:${upstream}; }
  }
}
`;
}

export async function startNginx(procs: Processes, dir: string, upstream: number): Promise<Nginx> {
  const port = await freePort();
  const prefix = join(dir, `nginx-${port}`);
  mkdirSync(prefix, { recursive: true });
  const configure = (version: string) =>
    writeFileSync(join(prefix, 'nginx.conf'), config(prefix, port, upstream, version));
  configure('v1');
  const proc = procs.start(nginxBin(), [
    '-p',
    `${prefix}/`,
    '-c',
    'nginx.conf',
    '-e',
    'stderr',
    '-g',
    'daemon off;',
  ]);
  await proc.waitFor(/start worker process \d+/);
  return { proc, port, configure };
}

/** A Node upstream whose /slow?ms=N answers after N ms and says when a request arrives. */
export interface Upstream {
  port: number;
  /** Resolves at the next request's arrival. */
  nextRequest(): Promise<void>;
  close(): Promise<void>;
}

export async function startUpstream(): Promise<Upstream> {
  let arrived: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    for (const a of arrived) a();
    arrived = [];
    const ms = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('ms') ?? 0);
    setTimeout(() => res.end('slow done\n'), ms);
  });
  const port = await listen(server);
  return {
    port,
    nextRequest: () => new Promise((r) => arrived.push(r)),
    close: () => closeServer(server),
  };
}
