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

import { execFile } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from './args.ts';

// ------------------------------------------------------------------ variables

/** One environment variable: its default, what a valid value looks like, and its parser. */
export interface Variable<T> {
  /** The default when the variable is unset or empty (a function when it depends on others). */
  fallback: string | (() => string);
  /** What is expected, for the error line: "host:port[,host:port…], e.g. 127.0.0.1:9092". */
  expects: string;
  /** The parsed value; throws an Error saying what is wrong with `raw`. */
  parse: (raw: string) => T;
}

type Vars = Record<string, Variable<unknown>>;
type Values<V extends Vars> = { [K in keyof V]: V[K] extends Variable<infer T> ? T : never };

/** Reads and validates one variable; a bad value is a UsageError naming it. */
function readVariable<T>(name: string, v: Variable<T>): T {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallbackOf(v) : raw;
  try {
    return v.parse(value);
  } catch (err) {
    const given = raw === undefined || raw === '' ? `its default "${value}"` : `"${raw}"`;
    throw new UsageError(
      `${name}: ${given} is not valid (${(err as Error).message}); expected ${v.expects}`,
    );
  }
}

function fallbackOf(v: Variable<unknown>): string {
  return typeof v.fallback === 'function' ? v.fallback() : v.fallback;
}

function checkPort(text: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`port "${text}" is not a number`);
  const port = Number(text);
  if (port < 1 || port > 65_535) throw new Error(`port ${port} is outside 1-65535`);
  return port;
}

export function splitHostPort(hostPort: string): { host: string; port: number } {
  const m = /^\[?([^\]\s/]+?)\]?:([^:\]]*)$/.exec(hostPort);
  if (!m) throw new UsageError(`"${hostPort}" is not host:port`);
  try {
    return { host: m[1] as string, port: checkPort(m[2] as string) };
  } catch (err) {
    throw new UsageError(`"${hostPort}" is not host:port (${(err as Error).message})`);
  }
}

/** A comma-separated list of host:port. */
function hostPorts(fallback: string): Variable<string[]> {
  return {
    fallback,
    expects: `host:port[,host:port…], e.g. ${fallback}`,
    parse: (raw) => {
      const list = raw
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean);
      if (!list.length) throw new Error('no address');
      for (const b of list) splitHostPort(b);
      return list;
    },
  };
}

/** A URL with one of `schemes` (without the colon) and a host; the port defaults per scheme. */
function url(fallback: string, schemes: string[]): Variable<string> {
  return {
    fallback,
    expects: `a ${schemes.map((s) => `${s}://`).join(' or ')} URL, e.g. ${fallback}`,
    parse: (raw) => {
      let u: URL;
      try {
        u = new URL(raw);
      } catch {
        throw new Error('not a URL');
      }
      if (!schemes.includes(u.protocol.replace(/:$/, '')))
        throw new Error(`scheme ${u.protocol} is not one`);
      if (!u.hostname) throw new Error('no host');
      if (u.port) checkPort(u.port);
      return raw;
    },
  };
}

/** host:port of a URL read by url(). */
export function urlAddress(value: string, defaultPort: number): string {
  const u = new URL(value);
  return `${u.hostname}:${u.port || defaultPort}`;
}

function port(fallback: number): Variable<number> {
  return {
    fallback: String(fallback),
    expects: `a TCP port 1-65535, e.g. ${fallback}`,
    parse: checkPort,
  };
}

/** An absolute file path (its existence is the probe's business, with a hint). */
function path(fallback: string | (() => string)): Variable<string> {
  return {
    fallback,
    expects: 'an absolute path',
    parse: (raw) => {
      if (!isAbsolute(raw)) throw new Error('not an absolute path');
      return raw;
    },
  };
}

// ------------------------------------------------------------------ the per-user state folder

function xdg(variable: string, fallback: string): string {
  const v = process.env[variable];
  // The XDG spec: a relative value is invalid and must be ignored.
  return v && isAbsolute(v) ? v : join(process.env.HOME || homedir(), fallback);
}

/** Variables that belong to no one service. */
const GENERAL = {
  /** What `npm run services` starts is recorded here, once per user, for every checkout. */
  WIRENOTES_STATE_DIR: path(() => join(xdg('XDG_STATE_HOME', '.local/state'), 'wirenotes')),
};

/** The per-user folder of service state: pids, ports, configs, logs, the nginx CA. */
export function stateDir(): string {
  return readVariable('WIRENOTES_STATE_DIR', GENERAL.WIRENOTES_STATE_DIR);
}

/** The per-user cache for downloads that never change (Kafka's jars, server binaries). */
export function cacheDir(): string {
  return join(xdg('XDG_CACHE_HOME', '.cache'), 'wirenotes');
}

// ------------------------------------------------------------------ probes

export interface ServiceStatus {
  name: ServiceName;
  ok: boolean;
  /** What was tried: host:port list or a file path. */
  address: string;
  /** Why it is not usable, when it is not. */
  problem?: string;
  hint: string;
}

/** What a probe finds; the name and hint come from the record. */
export type Probed = Omit<ServiceStatus, 'name' | 'hint'>;

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

/** Every address accepts a TCP connection. */
async function tcp(addresses: string[]): Promise<Probed> {
  const problems = await Promise.all(addresses.map(tcpReachable));
  const failed = addresses
    .map((a, i) => (problems[i] ? `${a} (${problems[i]})` : undefined))
    .filter(Boolean);
  return {
    ok: failed.length === 0,
    address: addresses.join(','),
    problem: failed.length ? `not reachable at ${failed.join(', ')}` : undefined,
  };
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
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

/** `file --version` prints something matching `expected` (a browser, not any executable). */
function versionMatches(file: string, expected: RegExp): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(file, ['--version'], { timeout: 3000 }, (err, stdout) => {
      const first = String(stdout).trim().split('\n')[0] ?? '';
      if (expected.test(first)) resolve(undefined);
      else resolve(err ? `\`${file} --version\` failed` : `\`${file} --version\` said "${first}"`);
    });
  });
}

/** A daemon's binary: on PATH, or in /usr/sbin, where Debian puts it (not on every PATH). */
export function findBinary(command: string): string | undefined {
  const sbin = `/usr/sbin/${command}`;
  return onPath(command) ?? (executable(sbin) ? sbin : undefined);
}

/** `command` is installed and `command -v` reports a version matching `expected`. */
function binary(command: string, expected: RegExp): Promise<Probed> {
  const file = findBinary(command);
  if (!file) {
    const problem = `${command} is not on PATH or in /usr/sbin`;
    return Promise.resolve({ ok: false, address: 'PATH', problem });
  }
  return new Promise((resolve) => {
    // nginx prints its version on stderr, HAProxy on stdout.
    execFile(file, ['-v'], { timeout: 3000 }, (_err, stdout, stderr) => {
      const said = `${stdout}${stderr}`.trim().split('\n')[0] ?? '';
      const ok = expected.test(said);
      resolve({ ok, address: file, problem: ok ? undefined : `\`${file} -v\` said "${said}"` });
    });
  });
}

// ------------------------------------------------------------------ the records

export interface ServiceRecord<V extends Vars> {
  /** How to get it when it is missing (a command, or the variable to set). */
  hint: string;
  /** The environment variables that locate it, each validated. */
  env: V;
  /** Is it usable right now? Well under 5 s. */
  probe: (env: Values<V>) => Promise<Probed>;
}

/** Declares one record (keeps the env types for serviceEnv and probe). */
function service<V extends Vars>(record: ServiceRecord<V>): ServiceRecord<V> {
  return record;
}

const KAFKA_DEFAULT = '127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094';

/** One holder of (or waiter for) a lease on a shared service, as services/lease.ts writes it. */
export interface LeaseEntry {
  pid: number;
  exclusive: boolean;
  /** false while waiting for the lease. */
  holds: boolean;
  /** The command that holds it ("demos/kafka"). */
  what: string;
  since: number;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live entries of a lease (files of processes that are gone count for nothing). */
export function leaseEntries(folder: string, except = ''): LeaseEntry[] {
  let files: string[];
  try {
    files = readdirSync(folder).filter((f) => f.endsWith('.json') && join(folder, f) !== except);
  } catch {
    return [];
  }
  return files
    .flatMap((f) => {
      try {
        return [JSON.parse(readFileSync(join(folder, f), 'utf8')) as LeaseEntry];
      } catch {
        return []; // removed meanwhile
      }
    })
    .filter((e) => processAlive(e.pid));
}

/** How long a probe waits for a failover that holds a broker down to end. */
const FAILOVER_WAIT_MS = 120_000;

/**
 * Kafka is up when every broker accepts. A broker down while the others answer and a live run
 * holds the kafka lease exclusively (its failover step stopped it, and starts it again) is waited
 * for, saying so once, rather than reported missing.
 */
async function kafkaProbe(brokers: string[]): Promise<Probed> {
  let found = await tcp(brokers);
  const folder = join(stateDir(), 'leases', 'kafka');
  const deadline = Date.now() + FAILOVER_WAIT_MS;
  let told = false;
  // All brokers down is not a failover (that stops one): no waiting then.
  const someAnswer = async () =>
    (await Promise.all(brokers.map(tcpReachable))).some((p) => p === undefined);
  while (!found.ok && Date.now() < deadline && (await someAnswer())) {
    const holder = leaseEntries(folder).find((e) => e.exclusive && e.holds);
    if (!holder) break;
    if (!told) {
      process.stderr.write(
        `waiting for the kafka lease: pid ${holder.pid} (${holder.what}) holds it exclusively, a broker stopped for its failover\n`,
      );
      told = true;
    }
    await sleep(500);
    found = await tcp(brokers);
  }
  return found;
}

export const SERVICES = {
  kafka: service({
    hint: 'start it with `npm run services -- up kafka`',
    env: { KAFKA_BROKERS: hostPorts(KAFKA_DEFAULT) },
    probe: (e) => kafkaProbe(e.KAFKA_BROKERS),
  }),
  postgres: service({
    hint: 'start it with `npm run services -- up postgres` or set PG_URL',
    env: {
      PG_URL: url('postgres://postgres@127.0.0.1:5432/postgres', ['postgres', 'postgresql']),
    },
    probe: (e) => tcp([urlAddress(e.PG_URL, 5432)]),
  }),
  mariadb: service({
    hint: 'start it with `npm run services -- up mariadb` or set MARIADB_URL',
    env: { MARIADB_URL: url('mysql://root@127.0.0.1:3306/test', ['mysql', 'mariadb']) },
    probe: (e) => tcp([urlAddress(e.MARIADB_URL, 3306)]),
  }),
  postgres17: service({
    hint: 'start it with `npm run services -- up postgres17` or set PG17_URL',
    env: {
      PG17_URL: url('postgres://postgres@127.0.0.1:5433/postgres', ['postgres', 'postgresql']),
    },
    probe: (e) => tcp([urlAddress(e.PG17_URL, 5432)]),
  }),
  mariadb114: service({
    hint: 'start it with `npm run services -- up mariadb114` or set MARIADB114_URL',
    env: { MARIADB114_URL: url('mysql://root@127.0.0.1:3307/test', ['mysql', 'mariadb']) },
    probe: (e) => tcp([urlAddress(e.MARIADB114_URL, 3306)]),
  }),
  replication: service({
    hint: 'start it with `npm run services -- up replication` or set PG_PRIMARY_URL and PG_STANDBY_URL',
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
    hint: 'start it with `npm run services -- up nginx`',
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
    hint: 'install it with `apt-get install nginx`',
    env: {},
    probe: () => binary('nginx', /nginx version: nginx\/\d/),
  }),
  haproxy: service({
    hint: 'install it with `apt-get install haproxy`',
    env: {},
    probe: () => binary('haproxy', /HAProxy version \d/),
  }),
  /** A PID namespace of one's own: root and util-linux `unshare --pid --fork --mount-proc`. */
  'pid-namespace': service({
    hint: 'run as root with util-linux `unshare` (apt-get install util-linux)',
    env: {},
    probe: () =>
      new Promise((resolve) => {
        const args = ['--pid', '--fork', '--mount-proc', 'true'];
        execFile('unshare', args, { timeout: 3000 }, (err, _out, stderr) => {
          const problem = err
            ? `\`unshare ${args.join(' ')}\` failed: ${stderr.trim()}`
            : undefined;
          resolve({ ok: !err, address: 'unshare', problem });
        });
      }),
  }),
  tini: service({
    hint: 'install it with `apt-get install tini`',
    env: {},
    probe: () => binary('tini', /tini version \d/),
  }),
  /** PostgreSQL 15's server binaries, for demos that initdb a throwaway cluster of their own. */
  'postgres15-binaries': service({
    hint: 'install them with `apt-get install postgresql-15` (the demo runs them as user postgres)',
    env: {},
    probe: async () => {
      const file = '/usr/lib/postgresql/15/bin/postgres';
      const ok = executable(file);
      return { ok, address: file, problem: ok ? undefined : `no executable at ${file}` };
    },
  }),
  chromium: service({
    hint: 'install it with `apt-get install chromium` or set CHROMIUM_PATH to a Chromium binary',
    env: { CHROMIUM_PATH: path('/usr/bin/chromium') },
    probe: async (e) => {
      const file = e.CHROMIUM_PATH;
      const problem = !executable(file)
        ? `no executable at ${file}`
        : await versionMatches(file, /chrom/i);
      return { ok: problem === undefined, address: file, problem };
    },
  }),
  openssl: service({
    hint: 'install it with `apt-get install openssl`',
    env: {},
    probe: async () => {
      const file = onPath('openssl');
      return {
        ok: file !== undefined,
        address: file ?? 'PATH',
        problem: file ? undefined : 'openssl is not on PATH',
      };
    },
  }),
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

/** Checks one service in well under 5 seconds: a TCP connect, or a file on disk. */
export async function probe(name: ServiceName): Promise<ServiceStatus> {
  const record = SERVICES[name] as ServiceRecord<Vars>;
  const found = await record.probe(serviceEnv(name) as Values<Vars>);
  return { name, hint: record.hint, ...found };
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
