// `npm run setup`: its help, its one-line refusals, `--check` agreeing with its exit status, and
// what it says to a user who is not root when a package is missing (tini and haproxy really
// missing: covered by /dev/null in a mount namespace of the test's own, then run as nobody).

import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { plainEnv } from '../demos/kit/endpoints.ts';
import { ROOT } from '../demos/kit/paths.ts';
import { findBinary } from '../demos/kit/probes.ts';
import { fileNeeds } from '../demos/kit/vitest.ts';

const TSX = `${ROOT}node_modules/.bin/tsx`;
const scratch = mkdtempSync(join(tmpdir(), 'wirenotes-setup-'));

function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
    const [cmd, ...args] = argv as [string, ...string[]];
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...plainEnv(), ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out, err }));
  });
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('npm run setup', () => {
  it('--help says what it does and its exit codes', async () => {
    const r = await run([TSX, 'services/setup.ts', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/--check/);
    expect(r.out).toMatch(/Exit status: 0 ready, 1 .*, 2 /);
  });

  it.each([
    [['--frobnicate'], /unknown option/i],
    [['extra'], /unexpected argument "extra"/],
  ])('%s: one line, exit 2', async (args, said) => {
    const r = await run([TSX, 'services/setup.ts', ...args]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(said);
  });

  it('a junk variable: one line naming it, exit 2', async () => {
    const r = await run([TSX, 'services/setup.ts', '--check'], { NGINX_TLS_PORT: '-1' });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/NGINX_TLS_PORT/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it('--check: exit 0 with "ready" exactly when no need is missing, else 1 with the table', async () => {
    const r = await run([TSX, 'services/setup.ts', '--check']);
    const missing = r.out.split('\n').filter((l) => /^\S+\s+missing\s/.test(l));
    if (r.code === 0) {
      expect(r.out).toMatch(/^ready: all \d+ needs/m);
      expect(missing).toEqual([]);
    } else {
      expect(r.code, r.out + r.err).toBe(1);
      expect(missing.length).toBeGreaterThan(0);
    }
  });
});

describe('npm run setup as a user who is not root, with tini and haproxy missing', () => {
  const needs = fileNeeds(['pid-namespace']);

  it('prints the install commands for Debian/Ubuntu, Fedora and macOS and exits 2', async (ctx) => {
    if (!needs.ready()) ctx.skip();
    const hide = ['tini', 'haproxy']
      .map((b) => `mount --bind /dev/null '${realpathSync(findBinary(b) ?? b)}'`)
      .join(' && ');
    const script = `${hide} && exec setpriv --reuid=65534 --regid=65534 --clear-groups '${TSX}' services/setup.ts`;
    const r = await run(
      ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', script],
      {
        WIRENOTES_STATE_DIR: join(scratch, 'state'),
        XDG_CACHE_HOME: join(scratch, 'cache'),
        HOME: scratch,
      },
    );
    expect(r.code, r.out + r.err).toBe(2);
    expect(r.out).toMatch(/^tini\s+missing\s+apt-get install tini$/m);
    expect(r.err).toMatch(/^setup: installing packages needs root; install these/m);
    expect(r.err).toMatch(
      /^ {2}Debian\/Ubuntu: sudo apt-get update && sudo apt-get install -y --no-install-recommends (?=.*\bhaproxy\b)(?=.*\btini\b)/m,
    );
    expect(r.err).toMatch(/^ {2}Fedora: +sudo dnf install -y (?=.*\bhaproxy\b)(?=.*\btini\b)/m);
    // Homebrew has no tini: the macOS line names haproxy only.
    expect(r.err).toMatch(/^ {2}macOS: +brew install haproxy$/m);
    // A privilege is not a package: nothing to install for the PID namespace a user may not make.
    expect(r.err).not.toMatch(/util-linux/);
  });
});
