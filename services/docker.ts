// The Docker path: docker-compose.yml driven through `docker compose`, used when a Docker engine
// answers (or with --docker). CI here has only the client, so the native path runs there.

import { spawn } from 'node:child_process';
import { COMPOSE_FILE } from './layout.ts';
import { ServiceError, which } from './proc.ts';

function run(args: string[], timeoutMs: number): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d;
    });
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

/** Undefined when `docker compose` can reach an engine, else why not. */
export async function dockerProblem(): Promise<string | undefined> {
  if (!which('docker')) return 'the docker command is not installed';
  const info = await run(['info', '--format', '{{.ServerVersion}}'], 5000);
  if (info.code !== 0 || !info.out.trim()) return 'no Docker engine answers (`docker info` failed)';
  const compose = await run(['compose', 'version'], 5000);
  if (compose.code !== 0) return 'the Docker Compose plugin is missing (`docker compose version`)';
  return undefined;
}

export async function compose(args: string[], timeoutMs = 300_000): Promise<string> {
  const { code, out } = await run(['compose', '-f', COMPOSE_FILE, ...args], timeoutMs);
  if (code !== 0) {
    const last = out.trim().split('\n').slice(-3).join(' ');
    throw new ServiceError(`docker compose ${args.join(' ')} failed (exit ${code}): ${last}`);
  }
  return out;
}

/** Compose services that are running (state "running"), by name. */
export async function composeRunning(): Promise<Set<string>> {
  const { code, out } = await run(
    ['compose', '-f', COMPOSE_FILE, 'ps', '--status', 'running', '--services'],
    10_000,
  );
  if (code !== 0) return new Set();
  return new Set(
    out
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  );
}
