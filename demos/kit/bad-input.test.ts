// Every entry point, run as a user would with malformed input: `npx tsx demos/<topic>` (each
// topic: an unknown flag, an unknown step, a junk environment variable), `npx tsx demos` and
// `npm run services` (an unknown flag, command or name, and every environment variable the kit
// validates set to junk). Each must answer with exactly one line on stderr, exit 2, and no stack
// trace. Subcommands' own arguments are their topics' tests.

import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from './args.ts';
import { checkEnvironment, plainEnv, probe, variableNames } from './endpoints.ts';
import { ROOT } from './paths.ts';

interface Case {
  /** What a user typed, for the test name. */
  typed: string;
  args: string[];
  env?: Record<string, string>;
  /** Text the one line must contain. */
  says: RegExp;
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

const TSX = `${ROOT}node_modules/.bin/tsx`;
/** Not one kind of value: not a URL, not host:port, not a number, not an absolute path. */
const JUNK = '::junk::';

const topics = readdirSync(`${ROOT}demos`, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'kit')
  .filter((d) => readdirSync(`${ROOT}demos/${d.name}`).includes('index.ts'))
  .map((d) => d.name);

function runTsx(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, args, {
      cwd: ROOT,
      env: { ...plainEnv(), CI: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the cases a few at a time (the machine is shared), keeping their order. */
async function runAll(cases: Case[]): Promise<Map<Case, Ran>> {
  const results = new Map<Case, Ran>();
  let next = 0;
  const width = Math.max(1, Math.min(3, availableParallelism()));
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < cases.length) {
        const c = cases[next++] as Case;
        results.set(c, await runTsx(c.args, c.env));
      }
    }),
  );
  return results;
}

const variables = variableNames();

const cases: Case[] = [
  ...topics.flatMap((t): Case[] => [
    {
      typed: `npx tsx demos/${t} --bogus`,
      args: [`demos/${t}`, '--bogus'],
      says: /--bogus/,
    },
    {
      typed: `npx tsx demos/${t} --step no-such-step`,
      args: [`demos/${t}`, '--step', 'no-such-step'],
      says: /unknown step "no-such-step"/,
    },
    {
      typed: `KAFKA_BROKERS=127.0.0.1:99999 npx tsx demos/${t}`,
      args: [`demos/${t}`],
      env: { KAFKA_BROKERS: '127.0.0.1:99999' },
      says: /^demos\/\S+: KAFKA_BROKERS: .*99999 is outside 1-65535.*expected host:port/,
    },
  ]),
  // Every variable, junk, on one demo that needs nothing but Node: validated all the same.
  ...variables.map(
    (v): Case => ({
      typed: `${v}=${JUNK} npx tsx demos/jwt`,
      args: ['demos/jwt'],
      env: { [v]: JUNK },
      says: new RegExp(`^demos/jwt: ${v}: "${JUNK}" is not valid \\(.+\\); expected `),
    }),
  ),
  { typed: 'npx tsx demos --bogus', args: ['demos', '--bogus'], says: /--bogus/ },
  {
    typed: 'npx tsx demos extra',
    args: ['demos', 'extra'],
    says: /"extra"/,
  },
  ...['NGINX_TLS_PORT', 'PG_URL'].map(
    (v): Case => ({
      typed: `${v}=${JUNK} npx tsx demos`,
      args: ['demos'],
      env: { [v]: JUNK },
      says: new RegExp(`^demos: ${v}: "${JUNK}" is not valid`),
    }),
  ),
  // `npm run services -- …` is `tsx services/cli.ts …`.
  ...(
    [
      [['status', '--bogus'], /Unknown option '--bogus'/],
      [['launch'], /unknown command "launch"/],
      [['up', 'redis'], /unknown service "redis"/],
      [['stop', 'kafka-9'], /unknown Kafka node "kafka-9"/],
      [['clean', 'kafka'], /clean takes no names/],
    ] as [string[], RegExp][]
  ).map(
    ([argv, says]): Case => ({
      typed: `npm run services -- ${argv.join(' ')}`,
      args: ['services/cli.ts', ...argv],
      says,
    }),
  ),
  ...variables.map(
    (v): Case => ({
      typed: `${v}=${JUNK} npm run services -- status`,
      args: ['services/cli.ts', 'status'],
      env: { [v]: JUNK },
      says: new RegExp(`^services: ${v}: "${JUNK}" is not valid`),
    }),
  ),
  {
    typed: 'KAFKA_BROKERS=127.0.0.1:9092 npm run services -- status',
    args: ['services/cli.ts', 'status'],
    env: { KAFKA_BROKERS: '127.0.0.1:9092' },
    says: /^services: KAFKA_BROKERS: 1 addresses given; expected 3/,
  },
];

describe('malformed input: one line on stderr, exit 2, no stack trace', () => {
  let results: Map<Case, Ran>;

  it('covers every topic and every validated variable', async () => {
    expect(topics.length).toBeGreaterThan(5);
    expect(variables).toEqual(expect.arrayContaining(['KAFKA_BROKERS', 'WIRENOTES_STATE_DIR']));
    results = await runAll(cases);
    expect(results.size).toBe(cases.length);
  }, 600_000);

  it.each(cases.map((c) => [c.typed, c] as const))('%s', (_, c) => {
    const r = results.get(c) as Ran;
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    const seen = `exit ${r.code}\nstderr:\n${r.stderr}\nstdout:\n${r.stdout.slice(0, 400)}`;
    expect(lines, seen).toHaveLength(1);
    expect(r.code, seen).toBe(2);
    expect(lines[0], seen).toMatch(c.says);
    expect(r.stderr + r.stdout, seen).not.toMatch(/^\s+at \S+ \(|node:internal|Error: /m);
  });
});

describe('each case the issue listed, in process', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it.each([
    [
      'KAFKA_BROKERS',
      'junk',
      /^KAFKA_BROKERS: "junk" is not valid \("junk" is not host:port\); expected host:port/,
    ],
    ['KAFKA_BROKERS', '127.0.0.1:99999', /port 99999 is outside 1-65535/],
    ['KAFKA_BROKERS', '127.0.0.1:0', /port 0 is outside 1-65535/],
    [
      'PG_URL',
      'junk',
      /^PG_URL: "junk" is not valid \(not a URL\); expected a postgres:\/\/ or postgresql:\/\/ URL/,
    ],
    ['PG_URL', 'mysql://root@127.0.0.1/test', /scheme mysql: is not one/],
    ['MARIADB_URL', 'junk', /^MARIADB_URL: .*expected a mysql:\/\/ or mariadb:\/\/ URL/],
    ['NGINX_URL', 'junk', /^NGINX_URL: .*expected a http:\/\/ URL/],
    [
      'NGINX_TLS_PORT',
      'abc',
      /^NGINX_TLS_PORT: "abc" is not valid \(port "abc" is not a number\); expected a TCP port 1-65535/,
    ],
    ['NGINX_TLS_PORT', '99999', /port 99999 is outside 1-65535/],
    ['NGINX_CA_FILE', 'ca.pem', /^NGINX_CA_FILE: "ca.pem" is not valid \(not an absolute path\)/],
    ['CHROMIUM_PATH', 'chromium', /^CHROMIUM_PATH: .*not an absolute path/],
    ['WIRENOTES_STATE_DIR', 'state', /^WIRENOTES_STATE_DIR: .*not an absolute path/],
  ])('%s=%s is one UsageError line', (name, value, says) => {
    process.env[name] = value;
    let err: unknown;
    try {
      checkEnvironment();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(says);
    expect((err as Error).message).not.toContain('\n');
  });

  it('a missing NGINX_CA_FILE is the nginx probe saying so, not a failed claim', async () => {
    process.env.NGINX_CA_FILE = '/nonexistent/ca.pem';
    const s = await probe('nginx');
    expect(s.ok).toBe(false);
    // Either nginx is down (that first) or it answers and the CA file is named.
    if (!s.problem?.startsWith('not reachable')) {
      expect(s.problem).toBe(
        'nginx answers but its CA file /nonexistent/ca.pem is missing (NGINX_CA_FILE)',
      );
    }
  });

  it('CHROMIUM_PATH at an executable that is not a browser: one line, what it said', async () => {
    process.env.CHROMIUM_PATH = '/bin/true';
    const s = await probe('chromium');
    expect(s.ok).toBe(false);
    expect(s.problem).toMatch(/^`\/bin\/true --version` said "/);
    expect(s.problem).not.toContain('\n');
  });
});
