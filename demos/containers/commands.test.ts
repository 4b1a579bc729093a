// The inspect subcommand, run in-process as a user would run it, on a process this test puts in a
// network and PID namespace and a memory cgroup of its own; and its one-line errors.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureIO } from '../kit/capture.ts';
import { runCli } from '../kit/cli.ts';
import { runName } from '../kit/names.ts';
import { ROOT } from '../kit/paths.ts';
import { openSandbox } from '../kit/sandbox.ts';
import { requireServices } from '../kit/vitest.ts';
import { waitFor } from '../kit/wait.ts';
import { demo } from './demo.ts';
import { inspectCommand } from './inspect-command.ts';

async function run(...argv: string[]) {
  const io = captureIO();
  const code = await runCli(demo, argv, [inspectCommand], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr };
}

const root = process.getuid?.() === 0;
const sb = root ? openSandbox(runName('containers')) : undefined;
afterAll(() => sb?.close());

/** A test that needs root: skipped locally with the registry's line, failed under CI=true. */
const asRoot = (name: string, fn: () => unknown) =>
  it(name, async (ctx) => {
    await requireServices(ctx, ['root']);
    await fn();
  });

describe('inspect', () => {
  asRoot('shows own namespaces, the PID inside and the cgroup limit', async () => {
    const box = sb as NonNullable<typeof sb>;
    const netns = await box.netns();
    const cgroup = await box.cgroup(['memory']);
    await cgroup.limitMemory(64 << 20);
    const unshare = box.start('unshare', ['--pid', '--fork', '--kill-child', 'sleep', '600'], {
      netns,
      cgroup,
    });
    const inner = await waitFor('the sleep inside the PID namespace', () =>
      cgroup.pids().find((p) => p !== unshare.pid),
    );
    const r = await run('inspect', String(inner));
    expect(r.code, r.stderr.join('\n')).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${inner} \\(sleep\\), PID 1 inside its PID namespace`));
    expect(r.stdout).toMatch(/^ {2}net +own /m);
    expect(r.stdout).toMatch(/^ {2}pid +own /m);
    expect(r.stdout).toMatch(/^ {2}uts +shared /m);
    expect(r.stdout).toContain(`/${cgroup.name}`);
    expect(r.stdout).toMatch(/memory\.(limit_in_bytes|max) 64\.0 MiB/);
    expect(r.stdout).toMatch(/memory\.(oom_control|events) oom_kill 0/);
  });

  it.each([
    [['inspect'], 'inspect needs a pid'],
    [['inspect', 'abc'], 'inspect: "abc" is not a pid'],
    [['inspect', '0'], 'inspect: "0" is not a pid'],
    [['inspect', '1', '2'], 'inspect takes one pid'],
    [['inspect', '4194304999'], 'inspect: no process 4194304999'],
  ])('%j exits 2 with one line', async (argv, line) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toHaveLength(1);
    expect(r.stderr[0]).toContain(line);
  });

  it('--help prints the usage', async () => {
    const r = await run('inspect', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: npx tsx demos/containers inspect <pid>');
  });

  asRoot('as another user: one line saying it is not allowed, exit 2', () => {
    const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
    const r = spawnSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        tsx,
        'demos/containers',
        'inspect',
        String(process.pid),
      ],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    );
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `demos/containers: inspect: not allowed to read /proc/${process.pid}/ns (run as root or as its owner)`,
    ]);
  });

  asRoot('the demo as another user: one line naming what it needs, exit 2', () => {
    const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
    const r = spawnSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', tsx, 'demos/containers'],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    );
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/root is not available: running as uid 65534, not root/);
  });
});
