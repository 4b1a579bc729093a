// One nginx per configuration a step writes: the system binary, in the foreground, with its own
// prefix directory (pid, logs, temp paths), listening on a free 127.0.0.1 port. The access log
// records, per request, every upstream nginx tried and what each answered.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../kit/net.ts';
import { findBinary } from '../kit/probes.ts';
import type { Instance, RunDir } from './instances.ts';
import { poll } from './poll.ts';

export interface NginxConfig {
  /** `worker_processes`; 1 unless a step is about several workers. */
  workers?: number;
  /** `upstream { … }` blocks (and anything else for the http context). */
  upstreams: string;
  /** `location { … }` blocks of the one server. */
  locations: string;
  /** Parameters of the `listen` line, e.g. `reuseport` (one listening socket per worker). */
  listen?: string;
}

/** One access-log line: which upstreams nginx tried for the request, and what each returned. */
export interface NginxAccess {
  method: string;
  uri: string;
  status: number;
  /** `$upstream_addr` split: one address per try, in order. */
  upstreams: string[];
  /** `$upstream_status` split, matching `upstreams`. */
  upstreamStatus: string[];
  /** The worker that handled the request. */
  worker: number;
}

export interface Nginx extends Instance {
  url: string;
  /**
   * The access log once it holds `count` lines: nginx writes a request's line after sending the
   * response, so the client can be ahead of the log by a request.
   */
  accessLog(count: number): Promise<NginxAccess[]>;
  /** The error log's lines (notice level: upstream failures, servers marked unavailable). */
  errorLog(): string[];
}

export function nginxBinary(): string {
  const file = findBinary('nginx');
  if (!file) throw new Error('nginx is not installed (apt-get install nginx)');
  return file;
}

/** `nginx -v` prints "nginx version: nginx/1.22.1" on stderr. */
export function nginxVersion(binary: string): string {
  const { stderr } = spawnSync(binary, ['-v'], { encoding: 'utf8' });
  const m = /nginx\/(\S+)/.exec(stderr);
  if (!m) throw new Error(`nginx -v printed no version: ${stderr.trim()}`);
  return m[1] as string;
}

const LOG_FORMAT = '\'$request_method $uri $status "$upstream_addr" "$upstream_status" $pid\'';

function configText(dir: string, port: number, c: NginxConfig): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `  ${t}_temp_path ${dir}/temp/${t};`)
    .join('\n');
  return `daemon off;
master_process on;
worker_processes ${c.workers ?? 1};
pid ${dir}/master.pid.txt;
error_log ${dir}/nginx.log notice;
events { worker_connections 512; }
http {
${temp}
  log_format balancing ${LOG_FORMAT};
  access_log ${dir}/access.log balancing;
${c.upstreams}
  server {
    listen 127.0.0.1:${port}${c.listen ? ` ${c.listen}` : ''};
${c.locations}
  }
}
`;
}

/** `nginx -t` on a configuration, for a step that shows what nginx refuses: its message. */
export function nginxRejects(run: RunDir, name: string, c: NginxConfig): string | undefined {
  const dir = run.instanceDir(name);
  writeFileSync(join(dir, 'nginx.conf'), configText(dir, 1, c));
  mkdirSync(join(dir, 'temp'));
  try {
    execFileSync(
      nginxBinary(),
      ['-t', '-p', `${dir}/`, '-c', `${dir}/nginx.conf`, '-e', `${dir}/nginx.log`],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return undefined;
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? '');
    const line = stderr.split('\n').find((l) => l.includes('[emerg]'));
    return line?.replace(/^.*\[emerg\] /, '').replaceAll(`${dir}/`, '');
  }
}

/** Starts nginx with `c`; a port taken between choosing and binding gets a second port. */
export async function startNginx(run: RunDir, name: string, c: NginxConfig): Promise<Nginx> {
  const binary = nginxBinary();
  for (let attempt = 1; ; attempt++) {
    const dir = run.instanceDir(name);
    const port = await freePort();
    mkdirSync(join(dir, 'temp'));
    writeFileSync(join(dir, 'nginx.conf'), configText(dir, port, c));
    try {
      const args = ['-p', `${dir}/`, '-c', `${dir}/nginx.conf`, '-e', `${dir}/nginx.log`];
      const instance = await run.start('nginx', dir, binary, args, port);
      return {
        ...instance,
        url: `http://127.0.0.1:${port}`,
        accessLog: (count) =>
          poll(async () => {
            const all = lines(join(dir, 'access.log'));
            return all.length >= count ? all.map(parseAccess) : undefined;
          }, `${count} lines in nginx's access log`),
        errorLog: () => lines(join(dir, 'nginx.log')),
      };
    } catch (err) {
      if (attempt < 3 && /Address already in use/.test((err as Error).message)) continue;
      throw err;
    }
  }
}

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

function parseAccess(line: string): NginxAccess {
  const m = /^(\S+) (\S+) (\d+) "([^"]*)" "([^"]*)" (\d+)$/.exec(line);
  if (!m) throw new Error(`unexpected access log line: ${line}`);
  const list = (s: string) => (s === '-' ? [] : s.split(/, | : /));
  return {
    method: m[1] as string,
    uri: m[2] as string,
    status: Number(m[3]),
    upstreams: list(m[4] as string),
    upstreamStatus: list(m[5] as string),
    worker: Number(m[6]),
  };
}

/** An `upstream` block: its directives (an algorithm, `zone`, `keepalive`), then its servers. */
export function upstream(name: string, servers: string[], directives: string[] = []): string {
  const body = [...directives, ...servers.map((s) => `server ${s}`)].map((l) => `    ${l};`);
  return [`  upstream ${name} {`, ...body, '  }'].join('\n');
}

/** A `location` that proxies to an upstream, with extra proxy directives. */
export function location(path: string, upstreamName: string, directives: string[] = []): string {
  const body = [`proxy_pass http://${upstreamName}`, ...directives].map((l) => `      ${l};`);
  return [`    location ${path} {`, ...body, '    }'].join('\n');
}
