// nginx from `npm run services` in front of upstreams that misbehave in the ways production ones
// do: one request through nginx per case, and nginx's own error log read where it really goes.

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { StepContext } from '../kit/define.ts';
import { endpoints } from '../kit/endpoints.ts';
import { freePort } from '../kit/net.ts';
import { stateDir } from '../kit/variables.ts';
import { startUpstream, type Upstream, type UpstreamKind } from './upstreams.ts';
import { type RawResult, rawExchange } from './wire.ts';

export const CASES: { kind: UpstreamKind | 'nothing'; route: 'proxy' | 'timeout'; what: string }[] =
  [
    { kind: 'healthy', route: 'proxy', what: 'answers 200' },
    { kind: 'garbage', route: 'proxy', what: 'sends a malformed header' },
    { kind: 'closes', route: 'proxy', what: 'hangs up before answering' },
    { kind: 'nothing', route: 'proxy', what: 'is not listening' },
    { kind: 'slow', route: 'timeout', what: 'takes 5 s; nginx waits 1 s' },
    { kind: 'truncates', route: 'proxy', what: 'dies mid-body' },
  ];

// Functions, not constants: the endpoint is read (and validated) when a step runs, never at import,
// so a junk NGINX_URL reaches the CLI's handler as one line.
export const hostHeader = () =>
  `Host: ${new URL(endpoints.nginxUrl).host}\r\nConnection: close\r\n\r\n`;

export const nginxPort = () => Number(new URL(endpoints.nginxUrl).port || 80);

export interface GatewayRun {
  status: number;
  response: string;
  /** The upstream nginx was pointed at (none when nothing listens on the port). */
  up?: Upstream;
  port: number;
  ex: RawResult;
}

/** One GET through nginx to an upstream that behaves as the case says. */
export async function throughNginx(t: StepContext, c: (typeof CASES)[number]): Promise<GatewayRun> {
  const up = c.kind === 'nothing' ? undefined : await startUpstream(c.kind);
  if (up) t.defer(() => up.close());
  const port = up?.port ?? (await freePort());
  const ex = await rawExchange(nginxPort(), [
    `GET /${c.route}/${port}/orders?id=7 HTTP/1.1\r\n${hostHeader()}`,
  ]);
  return { status: Number(ex.response.slice(9, 12)), response: ex.response, up, port, ex };
}

interface ErrorLog {
  pid: number;
  version: string;
  /** The file nginx's stderr points at. */
  where: string;
  size(): number;
  /** The lines written after byte `offset`. */
  since(offset: number): string[];
}

/**
 * nginx's error log, found from the running master process: the project's nginx.conf sends it
 * to stderr, so it is whatever file the master's fd 2 points at (the launcher appends it to its
 * log). A containerised nginx has no such process here; the step says how to read it there.
 */
export function nginxErrorLog(): ErrorLog {
  const prefix = join(stateDir(), 'nginx');
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    // The services' nginx (its prefix is the per-user state, or a clone's .cache/services where
    // an older one was adopted), not an instance another demo runs beside it: those log to files
    // too, and exit.
    const ours = cmdline.includes(` -p ${prefix}`) || cmdline.includes('/.cache/services/nginx');
    if (!cmdline.startsWith('nginx: master process') || !ours) continue;
    const fd = `/proc/${entry}/fd/2`;
    let where: string;
    try {
      where = readlinkSync(fd);
      if (!statSync(fd).isFile()) continue;
    } catch {
      continue;
    }
    const exe = readlinkSync(`/proc/${entry}/exe`);
    // `nginx -v` reports on stderr.
    const reported = spawnSync(exe, ['-v'], { encoding: 'utf8' }).stderr;
    const version = /nginx\/([\d.]+)/.exec(reported)?.[1] ?? 'unknown';
    return {
      pid: Number(entry),
      version,
      where,
      size: () => statSync(where).size,
      since: (offset) => readFileSync(where).subarray(offset).toString('utf8').split('\n'),
    };
  }
  throw new Error(
    'no local nginx master process whose stderr is a file: under Docker read the log with ' +
      '`docker compose logs nginx`',
  );
}
