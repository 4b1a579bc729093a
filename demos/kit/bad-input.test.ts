// Every entry point, run as a user would with malformed input: `npx tsx demos/<topic>` (each
// topic: an unknown flag, an unknown step, every environment variable the kit validates set to
// junk), `npx tsx demos`, `npm run services` and `npm run setup` (an unknown flag, command or
// name, and every variable junk), `npm run bench` (an unknown name). Each must answer with exactly one line on stderr, exit 2, and
// no stack trace. Subcommands' own arguments are their topics' tests.
//
// All cases run in ONE child process (entries-child.ts), not one `npx tsx` each: the first case
// of every entry has every variable junk at once, so a module that reads a variable at import
// time (before the CLI's handler exists) fails its case with the stack trace a user would see.

import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from './args.ts';
import { checkEnvironment, plainEnv, probe, variableNames } from './endpoints.ts';
import type { EntryCase, EntryResult } from './entries-child.ts';
import { ROOT } from './paths.ts';
import { topicIds } from './registry.ts';

interface Case extends EntryCase {
  /** What a user typed, for the test name. */
  typed: string;
  /** Text the one line must contain. */
  says: RegExp;
}

const TSX = `${ROOT}node_modules/.bin/tsx`;
/** Not one kind of value: not a URL, not host:port, not a number, not an absolute path. */
const JUNK = '::junk::';

const topics = topicIds();
const variables = variableNames();
const allJunk = Object.fromEntries(variables.map((v) => [v, JUNK]));
/** `npm run <script> --` for the entries package.json names, with the prefix of their lines. */
const SCRIPTS: Record<string, string> = {
  'services/cli.ts': 'services',
  'services/setup.ts': 'setup',
  'demos/kit/bench-cli.ts': 'bench',
};
const prefixOf = (entry: string) => SCRIPTS[entry] ?? entry;
const typedEntry = (entry: string) =>
  SCRIPTS[entry] ? `npm run ${SCRIPTS[entry]} --` : `npx tsx ${entry}`;

/** Runs the cases in one process, in order; their results in the same order. */
function runInOneProcess(cases: EntryCase[]): Promise<EntryResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [`${ROOT}demos/kit/entries-child.ts`], {
      cwd: ROOT,
      env: { ...plainEnv(), CI: '' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.once('error', reject);
    // 'close', not 'exit': the output is complete only once the stream has closed.
    child.once('close', (code) => {
      if (code === 0) resolve(JSON.parse(stdout) as EntryResult[]);
      else reject(new Error(`entries-child exited ${code}: ${stdout.slice(0, 400)}`));
    });
    child.stdin.end(JSON.stringify(cases.map(({ entry, args, env }) => ({ entry, args, env }))));
  });
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function junkCase(entry: string, args: string[], v: string, value = JUNK): Case {
  return {
    typed: `${v}=${value} ${typedEntry(entry)}${args.map((a) => ` ${a}`).join('')}`,
    entry,
    args,
    env: { [v]: value },
    says: new RegExp(
      `^${prefixOf(entry)}: ${v}: "${escapeRegExp(value)}" is not valid \\(.+\\); expected `,
    ),
  };
}

const entries: [string, string[]][] = [
  ...topics.map((t): [string, string[]] => [`demos/${t}`, []]),
  ['demos', []],
  ['services/cli.ts', ['status']],
  // --check: were validation ever skipped, setup would only report, never install.
  ['services/setup.ts', ['--check']],
];

const cases: Case[] = [
  // First, for every entry: every variable junk at once (see the head of this file).
  ...entries.map(
    ([entry, args]): Case => ({
      typed: `<every variable>=${JUNK} ${typedEntry(entry)}${args.map((a) => ` ${a}`).join('')}`,
      entry,
      args,
      env: allJunk,
      says: new RegExp(`^${prefixOf(entry)}: [A-Z0-9_]+: "${JUNK}" is not valid`),
    }),
  ),
  ...topics.flatMap((t): Case[] => [
    {
      typed: `npx tsx demos/${t} --bogus`,
      entry: `demos/${t}`,
      args: ['--bogus'],
      env: {},
      says: /--bogus/,
    },
    {
      typed: `npx tsx demos/${t} --step no-such-step`,
      entry: `demos/${t}`,
      args: ['--step', 'no-such-step'],
      env: {},
      says: /unknown step "no-such-step"/,
    },
    {
      typed: `KAFKA_BROKERS=127.0.0.1:99999 npx tsx demos/${t}`,
      entry: `demos/${t}`,
      args: [],
      env: { KAFKA_BROKERS: '127.0.0.1:99999' },
      says: /^demos\/\S+: KAFKA_BROKERS: .*99999 is outside 1-65535.*expected host:port/,
    },
    // Every variable, junk, on every demo: validated before anything runs.
    ...variables.map((v) => junkCase(`demos/${t}`, [], v)),
  ]),
  // The three the issue found escaping as a stack trace (read at import by demos/http).
  junkCase('demos/http', [], 'NGINX_URL', ':::'),
  junkCase('demos/http', [], 'NGINX_TLS_PORT', '-1'),
  junkCase('demos/http', [], 'WIRENOTES_STATE_DIR', 'relative/path'),
  { typed: 'npx tsx demos --bogus', entry: 'demos', args: ['--bogus'], env: {}, says: /--bogus/ },
  { typed: 'npx tsx demos extra', entry: 'demos', args: ['extra'], env: {}, says: /"extra"/ },
  ...variables.map((v) => junkCase('demos', [], v)),
  ...(
    [
      [['status', '--bogus'], /Unknown option '--bogus'/],
      [['launch'], /unknown command "launch"/],
      [['up', 'redis'], /unknown service "redis"/],
      [['stop', 'kafka-9'], /unknown Kafka node "kafka-9"/],
      [['clean', 'kafka'], /clean takes no names/],
    ] as [string[], RegExp][]
  ).map(
    ([args, says]): Case => ({
      typed: `npm run services -- ${args.join(' ')}`,
      entry: 'services/cli.ts',
      args,
      env: {},
      says,
    }),
  ),
  ...variables.map((v) => junkCase('services/cli.ts', ['status'], v)),
  {
    typed: 'npm run setup -- --bogus',
    entry: 'services/setup.ts',
    args: ['--bogus'],
    env: {},
    says: /^setup: .*--bogus/,
  },
  ...variables.map((v) => junkCase('services/setup.ts', ['--check'], v)),
  {
    typed: 'npm run bench -- nope',
    entry: 'demos/kit/bench-cli.ts',
    args: ['nope'],
    env: {},
    says: /^bench: unknown bench "nope" \(known: .*jwt.*suite\)$/,
  },
  {
    typed: 'KAFKA_BROKERS=127.0.0.1:9092 npm run services -- status',
    entry: 'services/cli.ts',
    args: ['status'],
    env: { KAFKA_BROKERS: '127.0.0.1:9092' },
    says: /^services: KAFKA_BROKERS: 1 addresses given; expected 3/,
  },
];

describe('malformed input: one line on stderr, exit 2, no stack trace', () => {
  let results: EntryResult[];

  it('covers every topic and every validated variable, in one process', async () => {
    expect(topics.length).toBeGreaterThan(5);
    expect(variables).toEqual(expect.arrayContaining(['KAFKA_BROKERS', 'WIRENOTES_STATE_DIR']));
    results = await runInOneProcess(cases);
    expect(results).toHaveLength(cases.length);
  }, 300_000);

  it.each(cases.map((c, i) => [c.typed, i] as const))('%s', (_, i) => {
    const c = cases[i] as Case;
    const r = results[i] as EntryResult;
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
