// The Docker path: docker-compose.yml driven through `docker compose`, used when a Docker engine
// answers (or with --docker). CI here has only the client, so the native path runs there; the
// stand-in client in docker.test.ts checks the commands and the engine checks below.
//
// Engines this path refuses or warns about, before any container starts:
// - rootless Docker: network_mode: host joins the rootless daemon's own network namespace, so
//   nothing reaches the host's 127.0.0.1 — `--wait` succeeds and the readiness wait would time
//   out; refused with the way out.
// - Docker Desktop before 4.34 has no host networking at all (refused); from 4.34 it needs a
//   signed-in account and Settings > Resources > Network > "Enable host networking" (a hint).

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { COMPOSE_FILE, type Layout, nginxDir } from './layout.ts';
import { ServiceError, which } from './proc.ts';

function run(
  args: string[],
  timeoutMs: number,
  onLine?: (line: string) => void,
  env?: NodeJS.ProcessEnv,
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    const take = (d: Buffer) => {
      out += d;
      if (onLine) for (const l of String(d).split(/[\r\n]+/)) if (l.trim()) onLine(l.trim());
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ code: 127, out: err.message });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, out });
    });
  });
}

/** Docker Desktop's version ("Docker Desktop 4.34.0 (165256)"), or undefined for an engine. */
function desktopVersion(platform: string): [number, number] | undefined {
  const m = /Docker Desktop (\d+)\.(\d+)/.exec(platform);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

export interface DockerCheck {
  /** Why this path cannot work here; undefined when it can. */
  problem?: string;
  /** Said before starting: what may still stop host networking. */
  hint?: string;
}

/** Can `docker compose` reach an engine whose host networking reaches this host's 127.0.0.1? */
export async function dockerCheck(): Promise<DockerCheck> {
  if (!which('docker')) return { problem: 'the docker command is not installed' };
  const info = await run(
    ['info', '--format', '{{.ServerVersion}}|{{.OperatingSystem}}|{{json .SecurityOptions}}'],
    5000,
  );
  const [version, os = '', security = ''] = info.out.trim().split('|');
  if (info.code !== 0 || !version)
    return { problem: 'no Docker engine answers (`docker info` failed)' };
  const compose = await run(['compose', 'version'], 5000);
  if (compose.code !== 0)
    return { problem: 'the Docker Compose plugin is missing (`docker compose version`)' };
  if (security.includes('rootless')) {
    return {
      problem:
        'the engine is rootless Docker, whose host networking publishes nothing on this host (Kafka and nginx would never answer on 127.0.0.1): use a rootful engine, or run without --docker',
    };
  }
  const platform = (await run(['version', '--format', '{{.Server.Platform.Name}}'], 5000)).out;
  const desktop = desktopVersion(platform) ?? (os.includes('Docker Desktop') ? [0, 0] : undefined);
  if (desktop) {
    const [major, minor] = desktop;
    if (major < 4 || (major === 4 && minor < 34)) {
      return {
        problem: `${platform.trim() || 'Docker Desktop'} has no host networking (needed by Kafka and nginx; 4.34 or newer has it): update Docker Desktop, or run without --docker`,
      };
    }
    return {
      hint: 'Docker Desktop: host networking needs a signed-in account and Settings > Resources > Network > "Enable host networking"; without it Kafka and nginx never answer on 127.0.0.1',
    };
  }
  return {};
}

/** Every compose command reads the whole file, so the variable it requires is always set. */
function composeEnv(layout: Layout): NodeJS.ProcessEnv {
  return { ...process.env, WIRENOTES_NGINX_CERTS: join(nginxDir(layout), 'certs') };
}

export async function compose(
  layout: Layout,
  args: string[],
  timeoutMs = 300_000,
  onLine?: (line: string) => void,
): Promise<string> {
  const { code, out } = await run(
    ['compose', '-f', COMPOSE_FILE, ...args],
    timeoutMs,
    onLine,
    composeEnv(layout),
  );
  if (code !== 0) {
    const last = out.trim().split('\n').slice(-3).join(' ');
    throw new ServiceError(`docker compose ${args.join(' ')} failed (exit ${code}): ${last}`);
  }
  return out;
}

/** Pulls the images first, with progress, so a first ~1 GB download is not a start timeout. */
export async function pull(
  layout: Layout,
  names: string[],
  report: (line: string) => void,
): Promise<void> {
  let last = '';
  await compose(layout, ['pull', ...names], 60 * 60_000, (line) => {
    // One line per image and state, not every progress tick.
    const key = line.replace(/[\d.]+\s*[kMG]?B.*$/, '');
    if (key !== last) report(`docker: ${line}`);
    last = key;
  });
}

/** Compose services that are running (state "running"), by name. */
export async function composeRunning(layout: Layout): Promise<Set<string>> {
  const { code, out } = await run(
    ['compose', '-f', COMPOSE_FILE, 'ps', '--status', 'running', '--services'],
    10_000,
    undefined,
    composeEnv(layout),
  );
  if (code !== 0) return new Set();
  return new Set(
    out
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  );
}
