// `npm test` on a machine without setup: every missing binary, package or service is ONE line
// naming it and `npm run setup`, the tests that need it skip and the run exits 0 locally; under
// CI=true the same lines end the run with exit 1, an honest closing line and no stack frame.
//
// The binaries are really missing for the run under test: it runs in a mount namespace of its
// own where nginx, haproxy, chromium, tini, java, mvn and PostgreSQL 15's bin folder are covered
// (a bind mount of /dev/null over each file, an empty tmpfs over the folder), and every database
// and service variable points at a closed port. Nothing outside that namespace changes.

import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainEnv } from '../demos/kit/endpoints.ts';
import { freePort } from '../demos/kit/net.ts';
import { ROOT } from '../demos/kit/paths.ts';
import { findBinary } from '../demos/kit/probes.ts';
import { fileNeeds } from '../demos/kit/vitest.ts';

/** The needs hidden from the run, by the name its line starts with. */
const HIDDEN_BINARIES: Record<string, string> = {
  'nginx-binary': 'nginx',
  haproxy: 'haproxy',
  chromium: 'chromium',
  tini: 'tini',
  java: 'java',
  maven: 'mvn',
};
const PG15_BIN = '/usr/lib/postgresql/15/bin';
/** Every line the run must print once: the binaries, PostgreSQL 15's, and the down databases. */
const EXPECTED = [...Object.keys(HIDDEN_BINARIES), 'postgres15-binaries', 'postgres', 'mariadb'];
/** Topics whose demos need all of the above. */
const FILES = ['balancing', 'signals', 'cors', 'kafka', 'isolation'].map(
  (t) => `demos/${t}/${t}.test.ts`,
);

interface Ran {
  code: number | null;
  out: string;
}

let scratch: string;
let env: NodeJS.ProcessEnv;
/** Both runs at once (each mostly waits on vitest's start): local, then under CI=true. */
let runs: Promise<[Ran, Ran]>;

function hideScript(): string {
  const files = Object.values(HIDDEN_BINARIES).map((b) => realpathSync(findBinary(b) ?? b));
  return [
    ...files.map((f) => `mount --bind /dev/null '${f}'`),
    `mount -t tmpfs none '${PG15_BIN}'`,
    `exec '${ROOT}node_modules/.bin/vitest' run ${FILES.join(' ')}`,
  ].join(' && ');
}

function runHidden(ci: boolean): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'unshare',
      ['--mount', '--propagation', 'private', '--', 'sh', '-c', hideScript()],
      { cwd: ROOT, env: { ...env, CI: ci ? 'true' : '' } },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out }));
  });
}

function missingLines(out: string): string[] {
  return out.split('\n').filter((l) => /^\[services\] \S+ is not available/.test(l));
}

const needs = fileNeeds(['pid-namespace']);

beforeAll(async () => {
  if (!needs.ready()) return;
  scratch = mkdtempSync(join(tmpdir(), 'wirenotes-missing-'));
  const closed = await freePort();
  const at = `127.0.0.1:${closed}`;
  env = {
    ...plainEnv(),
    WIRENOTES_STATE_DIR: join(scratch, 'state'),
    XDG_CACHE_HOME: join(scratch, 'cache'),
    KAFKA_BROKERS: [at, at, at].join(','),
    PG_URL: `postgres://postgres@${at}/postgres`,
    MARIADB_URL: `mysql://root@${at}/test`,
    PG17_URL: `postgres://postgres@${at}/postgres`,
    MARIADB114_URL: `mysql://root@${at}/test`,
    PG_PRIMARY_URL: `postgres://postgres@${at}/postgres`,
    PG_STANDBY_URL: `postgres://postgres@${at}/postgres`,
    NGINX_URL: `http://${at}`,
  };
  runs = Promise.all([runHidden(false), runHidden(true)]);
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('npm test without setup: nginx, haproxy, chromium, tini, Java, Maven, PostgreSQL 15 and the databases missing', () => {
  it('locally: one line per missing thing naming `npm run setup`, its tests skip, exit 0', async () => {
    const [r] = await runs;
    expect(r.code, r.out).toBe(0);
    const lines = missingLines(r.out);
    for (const need of EXPECTED) {
      const mine = lines.filter((l) => l.startsWith(`[services] ${need} is not available`));
      expect(mine, `${need} in:\n${lines.join('\n')}`).toHaveLength(1);
      expect(mine[0]).toMatch(/npm run (setup|services)/);
    }
    // Services that cannot start without a missing binary say nothing of their own.
    expect(lines).toHaveLength(EXPECTED.length);
    const closing = /^tests: (\d+) passed, (\d+) failed, (\d+) skipped$/m.exec(r.out);
    expect(closing?.[2], r.out).toBe('0');
    expect(Number(closing?.[3])).toBeGreaterThan(0);
  });

  it('under CI=true: the same lines, exit 1, a closing line that counts them, no stack frame', async () => {
    const [, r] = await runs;
    expect(r.code, r.out).toBe(1);
    const lines = missingLines(r.out);
    for (const need of EXPECTED)
      expect(lines.filter((l) => l.startsWith(`[services] ${need} is not available`))).toHaveLength(
        1,
      );
    expect(lines.every((l) => l.endsWith('(required under CI=true)'))).toBe(true);
    expect(r.out).toMatch(new RegExp(`^tests: 0 passed, ${EXPECTED.length} failed$`, 'm'));
    expect(r.out).not.toMatch(/^\s+at |❯ /m);
  });
});
