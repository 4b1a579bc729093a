// The lab command as a learner uses it (jwt's pin-algorithms lab): list, start a workspace, check
// and get the first hint, ask for the next, fix it, solved; bad input as one line and exit 2; and
// a learner's file that hangs (with a child of its own) is killed with its process group and
// reported as the failing claim; an interrupted check runs its cleanups first.

import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demo } from '../jwt/demo.ts';
import { captureIO } from './capture.ts';
import { runCli } from './cli.ts';
import { loadLab } from './lab.ts';
import { checkLab } from './lab-check.ts';
import { ROOT } from './paths.ts';
import { waitFor } from './wait.ts';

const scratch = mkdtempSync(join(tmpdir(), 'wirenotes-lab-test-'));
process.env.WIRENOTES_STATE_DIR = join(scratch, 'state');
const ws = join(scratch, 'ws');
const LAB = `${ROOT}demos/jwt/labs/pin-algorithms`;

async function lab(...argv: string[]) {
  const io = captureIO();
  const code = await runCli(demo, ['lab', ...argv], [], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr };
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('a learner in jwt/pin-algorithms', () => {
  it('lists the lab, not solved', async () => {
    const r = await lab();
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^pin-algorithms\s+not solved$/m);
  });

  it('starts it: the workspace holds the starting file, the task and the check command', async () => {
    const r = await lab('pin-algorithms', '--dir', ws);
    expect(r.code).toBe(0);
    expect(r.out).toContain(join(ws, 'verify.ts'));
    expect(r.out).toMatch(/check: npx tsx demos\/jwt lab pin-algorithms --check --dir /);
  });

  it('--check: ✗ on alg "none", the first hint, exit 1; --hint gives the next', async () => {
    const r = await lab('pin-algorithms', '--check', '--dir', ws);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/✗ alg "none" is refused — accepted/);
    expect(r.out).toMatch(/hint 1\/3: /);
    const h = await lab('pin-algorithms', '--hint', '--dir', ws);
    expect(h.out).toMatch(/hint 2\/3: .*RFC 8725/);
  });

  it('fixed: every claim ✓, exit 0, and the listing says solved', async () => {
    copyFileSync(join(LAB, 'solution/verify.ts'), join(ws, 'verify.ts'));
    const r = await lab('pin-algorithms', '--check', '--dir', ws, '--json');
    expect(r.code, r.out).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ lab: 'jwt/pin-algorithms', ok: true });
    expect((await lab()).out).toMatch(/^pin-algorithms\s+solved, 2 hints$/m);
  });

  it('--reset keeps the learner file as verify.ts.~1~ and restores the start', async () => {
    const r = await lab('pin-algorithms', '--reset', '--dir', ws);
    expect(r.code).toBe(0);
    expect(r.out).toContain(join(ws, 'verify.ts.~1~'));
  });
});

describe('bad input: one line, exit 2', () => {
  it.each([
    [['nope'], /unknown lab "nope" \(labs: pin-algorithms/],
    [['pin-algorithms', '--check', '--dir', join(scratch, 'none')], /no workspace at .*none/],
    [['pin-algorithms', '--check', '--hint'], /--check and --hint exclude each other/],
    [['--check'], /--check needs a lab name/],
    [['pin-algorithms', '--solution', '--dir', ws], /add --yes/],
    [['pin-algorithms', '--dir', ROOT], /inside the checkout must be under wirenotes-labs/],
  ])('%s', async (argv, said) => {
    const r = await lab(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(said);
  });
});

it("a learner's file that hangs is killed with the child it started, and is the failing claim", async () => {
  const hang = join(scratch, 'hang');
  mkdirSync(hang);
  const pidFile = join(scratch, 'sleeper.pid');
  writeFileSync(
    join(hang, 'verify.ts'),
    [
      "import { spawn } from 'node:child_process';",
      "import { writeFileSync } from 'node:fs';",
      `const s = spawn('sleep', ['300'], { stdio: 'ignore' });`,
      `writeFileSync(${JSON.stringify(pidFile)}, String(s.pid));`,
      'export async function verifyAccessToken() { for (;;) {} }',
    ].join('\n'),
  );
  const pin = await loadLab(join(LAB, 'lab.ts'));
  const v = await checkLab({ ...pin, timeoutMs: 20_000 }, hang);
  expect(v.solved).toBe(false);
  expect(v.failing?.text).toBe('your files load and the check runs to its end');
  expect(v.failing?.detail).toMatch(/still running after 20 s: killed/);
  const sleeper = readFileSync(pidFile, 'utf8');
  // Gone, or a zombie waiting for whoever reaps orphans here: either way no longer running.
  const state = () => /^State:\s+(\S)/m.exec(readFileSync(`/proc/${sleeper}/status`, 'utf8'))?.[1];
  expect(existsSync(`/proc/${sleeper}`) ? state() : 'gone').toMatch(/^(Z|gone)$/);
});

it('an interrupted check (Ctrl-C) runs its cleanups before its process group is killed', async () => {
  const dir = join(scratch, 'interrupted');
  mkdirSync(dir);
  const fixture = await loadLab(`${ROOT}demos/kit/fixtures/lab-interrupted.ts`);
  const controller = new AbortController();
  const running = checkLab(fixture, dir, controller.signal);
  await waitFor('the check to start', () => existsSync(join(dir, 'started')) || undefined, {
    timeoutMs: 30_000,
  });
  controller.abort();
  const v = await running;
  expect(v.solved).toBe(false);
  expect(existsSync(join(dir, 'cleaned')), 'the deferred cleanup ran').toBe(true);
});
