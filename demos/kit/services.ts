// Where the real services are, and a quick check that they answer. Addresses come from
// environment variables whose defaults match docker-compose.yml and the native launchers.

import { accessSync, constants } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type ServiceName = 'kafka' | 'postgres' | 'mariadb' | 'nginx' | 'chromium' | 'openssl';

export const SERVICE_NAMES: ServiceName[] = [
  'kafka',
  'postgres',
  'mariadb',
  'nginx',
  'chromium',
  'openssl',
];

/** How to get each service when it is missing. */
const HINTS: Record<ServiceName, string> = {
  kafka: 'start it with `npm run services -- up kafka`',
  postgres: 'start it with `npm run services -- up postgres` or set PG_URL',
  mariadb: 'start it with `npm run services -- up mariadb` or set MARIADB_URL',
  nginx: 'start it with `npm run services -- up nginx`',
  chromium: 'install it with `apt-get install chromium` or set CHROMIUM_PATH',
  openssl: 'install it with `apt-get install openssl`',
};

export const endpoints = {
  get kafkaBrokers(): string[] {
    return (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094')
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean);
  },
  get pgUrl(): string {
    return process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  },
  get mariadbUrl(): string {
    return process.env.MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/test';
  },
  /** nginx's plain-HTTP port (the gateway server blocks). */
  get nginxUrl(): string {
    return process.env.NGINX_URL ?? 'http://127.0.0.1:8080';
  },
  /** nginx's TLS port (the two SNI names). */
  get nginxTlsPort(): number {
    return Number(process.env.NGINX_TLS_PORT ?? 8443);
  },
  /** The private CA (PEM) that signed nginx's alpha.test and beta.test certificates. */
  get nginxCaFile(): string {
    return (
      process.env.NGINX_CA_FILE ??
      fileURLToPath(new URL('../../.cache/services/nginx/certs/ca.pem', import.meta.url))
    );
  },
  get chromiumPath(): string {
    return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  },
};

export interface ServiceStatus {
  name: ServiceName;
  ok: boolean;
  /** What was tried: host:port list or a file path. */
  address: string;
  /** Why it is not usable, when it is not. */
  problem?: string;
  hint: string;
}

const PROBE_TIMEOUT_MS = 1500;

function tcpReachable(hostPort: string): Promise<string | undefined> {
  const { host, port } = splitHostPort(hostPort);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (problem?: string) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(`no answer within ${PROBE_TIMEOUT_MS} ms`));
    socket.once('connect', () => done());
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}

export function splitHostPort(hostPort: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(hostPort);
  if (!m) throw new Error(`not a host:port address: ${hostPort}`);
  return { host: m[1] as string, port: Number(m[2]) };
}

function urlHostPort(url: string, defaultPort: number): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || defaultPort}`;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

async function tcpStatus(name: ServiceName, addresses: string[]): Promise<ServiceStatus> {
  const problems = await Promise.all(addresses.map(tcpReachable));
  const failed = addresses
    .map((a, i) => (problems[i] ? `${a} (${problems[i]})` : undefined))
    .filter(Boolean);
  return {
    name,
    ok: failed.length === 0,
    address: addresses.join(','),
    problem: failed.length ? `not reachable at ${failed.join(', ')}` : undefined,
    hint: HINTS[name],
  };
}

/** Checks one service in well under 5 seconds: a TCP connect, or a file on disk. */
export async function probe(name: ServiceName): Promise<ServiceStatus> {
  switch (name) {
    case 'kafka':
      return tcpStatus(name, endpoints.kafkaBrokers);
    case 'postgres':
      return tcpStatus(name, [urlHostPort(endpoints.pgUrl, 5432)]);
    case 'mariadb':
      return tcpStatus(name, [urlHostPort(endpoints.mariadbUrl, 3306)]);
    case 'nginx':
      return tcpStatus(name, [
        urlHostPort(endpoints.nginxUrl, 80),
        `${new URL(endpoints.nginxUrl).hostname}:${endpoints.nginxTlsPort}`,
      ]);
    case 'chromium': {
      const path = endpoints.chromiumPath;
      const ok = executable(path);
      return {
        name,
        ok,
        address: path,
        problem: ok ? undefined : `no executable at ${path}`,
        hint: HINTS[name],
      };
    }
    case 'openssl': {
      const path = onPath('openssl');
      return {
        name,
        ok: path !== undefined,
        address: path ?? 'PATH',
        problem: path ? undefined : 'openssl is not on PATH',
        hint: HINTS[name],
      };
    }
  }
}

export function probeAll(names: Iterable<ServiceName>): Promise<ServiceStatus[]> {
  return Promise.all([...new Set(names)].map(probe));
}

/** One line a user can act on: the service, the address tried, and how to get it. */
export function describeMissing(s: ServiceStatus): string {
  return `${s.name} is not available: ${s.problem} — ${s.hint}`;
}

/** A per-run suffix for names that live in a shared service (topics, groups, tables). */
export function runSuffix(): string {
  return `${process.pid.toString(36)}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}
