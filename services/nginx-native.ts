// The native nginx path: the system `nginx` binary with its prefix in <state>/nginx/, running
// services/nginx/nginx.conf (through a symlink, so relative paths land in the prefix), in the
// foreground of a detached process whose pid the services' state records.

import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { endpoints } from '../demos/kit/endpoints.ts';
import { ensureCerts } from './certs.ts';
import { type Layout, NGINX_CONF, nginxDir } from './layout.ts';
import {
  alive,
  portOpen,
  ServiceError,
  type Spawned,
  spawnDetached,
  tail,
  terminate,
  which,
} from './proc.ts';
import { forget, readState, remember, updateState } from './state.ts';

export function nginxPorts(): { host: string; port: number }[] {
  const u = new URL(endpoints.nginxUrl);
  return [
    { host: u.hostname, port: Number(u.port || 80) },
    { host: u.hostname, port: endpoints.nginxTlsPort },
  ];
}

/** nginx's master process: its command line names our prefix. */
function marker(layout: Layout): string {
  return nginxDir(layout);
}

function nginxLog(layout: Layout): string {
  return join(nginxDir(layout), 'nginx.log');
}

export function nginxPid(layout: Layout): number | undefined {
  const pid = readState(layout).units.nginx?.pid;
  return pid !== undefined && alive(pid, marker(layout)) ? pid : undefined;
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
  // An nginx adopted where an old checkout started it: its CA is also where NGINX_CA_FILE points.
  const home = join(layout.dir, 'nginx');
  if (dir !== home) cpSync(join(dir, 'certs'), join(home, 'certs'), { recursive: true });
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
export async function startNginx(layout: Layout): Promise<Spawned> {
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
  const started = spawnDetached(bin, args(dir), nginxLog(layout), dir);
  await remember(layout, 'nginx', {
    service: 'nginx',
    via: 'native',
    pid: started.pid,
    marker: marker(layout),
    dir,
    address: nginxPorts()
      .map((p) => `${p.host}:${p.port}`)
      .join(','),
    configMtime: statSync(NGINX_CONF).mtimeMs,
  });
  return started;
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
export async function reloadIfChanged(layout: Layout): Promise<boolean> {
  const pid = nginxPid(layout);
  if (pid === undefined) return false;
  const mtime = statSync(NGINX_CONF).mtimeMs;
  if (mtime <= (readState(layout).units.nginx?.configMtime ?? 0)) return false;
  const dir = preparePrefix(layout);
  testConfig(nginxBinary(), dir);
  process.kill(pid, 'SIGHUP');
  await updateState(layout, (s) => {
    const r = s.units.nginx;
    if (r) r.configMtime = mtime;
  });
  return true;
}

export function nginxExitedError(layout: Layout, code: number | null): ServiceError {
  return new ServiceError(
    `nginx exited during start (code ${code}); last lines of ${nginxLog(layout)}:\n${tail(nginxLog(layout))}`,
  );
}

/** Stops nginx if the records say it was started natively, and forgets it; true if it ran. */
export async function stopNginx(layout: Layout): Promise<boolean> {
  const pid = nginxPid(layout);
  if (pid === undefined) {
    if (readState(layout).units.nginx?.via === 'native') await forget(layout, ['nginx']);
    return false;
  }
  // SIGTERM is nginx's fast shutdown; SIGQUIT would wait for open keep-alive connections.
  await terminate(pid, marker(layout), 10_000);
  await forget(layout, ['nginx']);
  return true;
}
