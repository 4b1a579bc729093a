// The native nginx path: the system `nginx` binary with its prefix in .cache/services/nginx/,
// running services/nginx/nginx.conf (through a symlink, so relative paths land in the prefix),
// in the foreground of a detached process whose pid this command remembers.

import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
} from 'node:fs';
import { join } from 'node:path';
import { endpoints } from '../demos/kit/services.ts';
import { ensureCerts } from './certs.ts';
import { type Layout, NGINX_CONF, nginxDir } from './layout.ts';
import { livePid, portOpen, ServiceError, spawnDetached, tail, terminate, which } from './proc.ts';

export function nginxPorts(): { host: string; port: number }[] {
  const u = new URL(endpoints.nginxUrl);
  return [
    { host: u.hostname, port: Number(u.port || 80) },
    { host: u.hostname, port: endpoints.nginxTlsPort },
  ];
}

function pidFile(layout: Layout): string {
  return join(nginxDir(layout), 'nginx.pid');
}

/** nginx's master process: its command line names our prefix. */
function marker(layout: Layout): string {
  return nginxDir(layout);
}

export function nginxLog(layout: Layout): string {
  return join(nginxDir(layout), 'nginx.log');
}

export function nginxPid(layout: Layout): number | undefined {
  return livePid(pidFile(layout), marker(layout));
}

function nginxBinary(): string {
  const bin = which('nginx') ?? ['/usr/sbin/nginx', '/usr/local/sbin/nginx'].find(existsSync);
  if (!bin) {
    throw new ServiceError(
      'nginx is not installed: install it (Debian: `apt-get install nginx`; macOS: `brew install nginx`) or use Docker (`npm run services -- up --docker nginx`)',
    );
  }
  return bin;
}

/** Prepares the prefix: certificates, and nginx.conf as a symlink to the shared config. */
export function preparePrefix(layout: Layout): string {
  const dir = nginxDir(layout);
  mkdirSync(dir, { recursive: true });
  ensureCerts(dir);
  const link = join(dir, 'nginx.conf');
  const isLink = existsSync(link) && lstatSync(link).isSymbolicLink();
  if (!isLink || readlinkSync(link) !== NGINX_CONF) {
    rmSync(link, { force: true });
    symlinkSync(NGINX_CONF, link);
  }
  return dir;
}

function args(dir: string): string[] {
  return ['-p', `${dir}/`, '-c', 'nginx.conf', '-e', 'stderr', '-g', 'daemon off;'];
}

/** Starts nginx natively (checking the config first); does not wait for /healthz. */
export async function startNginx(
  layout: Layout,
): Promise<{ pid: number; exited: Promise<number | null> }> {
  const bin = nginxBinary();
  for (const { host, port } of nginxPorts()) {
    if (await portOpen(host, port, 500)) {
      throw new ServiceError(
        `port ${port} (nginx) is held by another process: free it, or stop that server`,
      );
    }
  }
  const dir = preparePrefix(layout);
  testConfig(bin, dir);
  return spawnDetached(bin, args(dir), nginxLog(layout), pidFile(layout), dir);
}

function testConfig(bin: string, dir: string): void {
  try {
    execFileSync(bin, [...args(dir), '-t', '-q'], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? '').trim();
    throw new ServiceError(`nginx rejected ${NGINX_CONF}: ${stderr.split('\n')[0] ?? ''}`);
  }
}

/**
 * When nginx runs natively and services/nginx/nginx.conf changed since it started (or was last
 * reloaded), checks the new config and reloads it (SIGHUP). Returns true when it reloaded.
 */
export function reloadIfChanged(layout: Layout): boolean {
  const pid = nginxPid(layout);
  if (pid === undefined) return false;
  const stamp = pidFile(layout);
  if (statSync(NGINX_CONF).mtimeMs <= statSync(stamp).mtimeMs) return false;
  const dir = preparePrefix(layout);
  testConfig(nginxBinary(), dir);
  process.kill(pid, 'SIGHUP');
  const now = new Date();
  utimesSync(stamp, now, now);
  return true;
}

export function nginxExitedError(layout: Layout, code: number | null): ServiceError {
  return new ServiceError(
    `nginx exited during start (code ${code}); last lines of ${nginxLog(layout)}:\n${tail(nginxLog(layout))}`,
  );
}

export async function stopNginx(layout: Layout): Promise<boolean> {
  const pid = nginxPid(layout);
  if (pid === undefined) return false;
  // SIGTERM is nginx's fast shutdown; SIGQUIT would wait for open keep-alive connections.
  await terminate(pid, marker(layout), 10_000);
  nginxPid(layout);
  return true;
}
