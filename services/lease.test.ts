// Locks, leases and records between processes: a second process really holds the lease (a child
// started from services/fixtures/hold-lease.ts), so waiting, the message while waiting, and a
// killed holder are the real thing. Everything lives in a scratch state folder.

import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../demos/kit/paths.ts';
import { runServicesCli } from './cli.ts';
import { scratchDir } from './isolated.ts';
import { kafkaLibsDir, kafkaNodes, type Layout } from './layout.ts';
import { acquireLease, withLease } from './lease.ts';
import { withLock } from './lock.ts';
import { readState, remember, updateState } from './state.ts';

const dir = scratchDir('lease-');
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  // The whole group: tsx runs the script in a child of its own.
  for (const c of children.splice(0)) {
    try {
      process.kill(-(c.pid as number), 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Another process holding `name` in `mode`; resolves once it holds it. */
function holder(name: string, mode: 'shared' | 'exclusive') {
  const child = spawn(
    `${ROOT}node_modules/.bin/tsx`,
    ['services/fixtures/hold-lease.ts', dir, name, mode],
    { cwd: ROOT, detached: true },
  );
  children.push(child);
  let out = '';
  const said = (text: string) =>
    new Promise<string>((resolve) => {
      const check = () => (out.includes(text) ? resolve(out) : undefined);
      child.stdout.on('data', (d: Buffer) => {
        out += d;
        check();
      });
      check();
    });
  return { child, said, held: said('held') };
}

describe('leases between processes', () => {
  it('shared leases coexist; an exclusive one waits, saying for whom, until they are released', async () => {
    const other = holder('kafka', 'shared');
    await other.held;
    const waits: string[] = [];
    let ran = false;
    const exclusive = acquireLease('kafka', {
      dir,
      exclusive: true,
      onWait: (l) => waits.push(l),
    }).then((l) => {
      ran = true;
      return l;
    });
    await new Promise((r) => setTimeout(r, 600));
    expect(ran).toBe(false);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toMatch(
      /^waiting for the kafka lease: pid \d+ holds it shared \(services\/fixtures\/hold-lease\.ts /,
    );
    other.child.stdin.end();
    await other.said('released');
    (await exclusive).release();
    expect(ran).toBe(true);
  });

  it('while an exclusive lease is held or wanted, a new shared one waits', async () => {
    const other = holder('kafka', 'exclusive');
    await other.held;
    const waits: string[] = [];
    const shared = acquireLease('kafka', { dir, onWait: (l) => waits.push(l) });
    await new Promise((r) => setTimeout(r, 500));
    expect(waits[0]).toMatch(/holds it exclusively/);
    other.child.stdin.end();
    (await shared).release();
  });

  it('a holder killed with SIGKILL blocks no one (its pid is gone)', async () => {
    const other = holder('kafka', 'exclusive');
    await other.held;
    // The pid in its lease file (tsx runs the script in a child of its own).
    const folder = join(dir, 'leases', 'kafka');
    const [file] = readdirSync(folder).filter((f) => f.endsWith('.json'));
    const { pid } = JSON.parse(readFileSync(join(folder, file as string), 'utf8')) as {
      pid: number;
    };
    process.kill(pid, 'SIGKILL');
    await new Promise((r) => other.child.once('exit', r));
    expect(existsSync(join(folder, file as string))).toBe(true); // kill -9: no exit handler ran
    const lease = await acquireLease('kafka', { dir, timeoutMs: 5000 });
    lease.release();
  });

  it('a run holding the lease shared can take it exclusively (no self-deadlock) and gets its shared one back', async () => {
    const shared = await acquireLease('upgrade', { dir });
    const folder = join(dir, 'leases', 'upgrade');
    const during = await withLease(
      'upgrade',
      () => readdirSync(folder).filter((f) => f.endsWith('.json')).length,
      { dir, exclusive: true },
    );
    expect(during).toBe(1); // only the exclusive one: the shared one was given up meanwhile
    expect(readdirSync(folder).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    shared.release();
    expect(readdirSync(folder).filter((f) => f.endsWith('.json'))).toHaveLength(0);
  });
});

describe('npm run services next to a running demo', () => {
  it('`down kafka` waits for the demo’s lease, saying for whom, then stops (here: nothing)', async () => {
    const saved = process.env.WIRENOTES_STATE_DIR;
    process.env.WIRENOTES_STATE_DIR = dir; // no records there: down has nothing to stop
    try {
      const other = holder('kafka', 'shared');
      await other.held;
      const out: string[] = [];
      const cli = runServicesCli(['down', 'kafka'], {
        out: (l) => out.push(l),
        err: (l) => out.push(l),
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(out).toEqual([
        expect.stringMatching(/^waiting for the kafka lease: pid \d+ holds it shared/),
      ]);
      other.child.stdin.end();
      expect(await cli).toBe(0);
      expect(out.at(-1)).toBe('nothing this command started is running');
    } finally {
      if (saved === undefined) delete process.env.WIRENOTES_STATE_DIR;
      else process.env.WIRENOTES_STATE_DIR = saved;
    }
  });
});

describe('the services lock and records', () => {
  const layout: Layout = {
    dir,
    libsDir: kafkaLibsDir(),
    kafkaNodes: kafkaNodes(['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3']),
  };

  it('a lock left by a dead process is taken over; a nested lock in the same call chain runs at once', async () => {
    const file = join(dir, 'test.lock');
    const dead = spawnSync('true').pid as number;
    writeFileSync(file, JSON.stringify({ pid: dead, what: 'gone', since: Date.now() }));
    const order: string[] = [];
    await withLock(file, async () => {
      order.push('outer');
      await withLock(file, () => order.push('inner'));
    });
    expect(order).toEqual(['outer', 'inner']);
    expect(existsSync(file)).toBe(false);
  });

  it('concurrent changes in one process queue: none is lost', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        updateState(layout, (s) => {
          s.units[`u${i}`] = { service: 'kafka', via: 'docker', checkout: ROOT, since: '' };
        }),
      ),
    );
    expect(Object.keys(readState(layout).units)).toHaveLength(20);
  });

  it('reading a record whose process died leaves it in place', async () => {
    const dead = spawnSync('true').pid as number;
    await remember(layout, 'kafka-1', { service: 'kafka', via: 'native', pid: dead, marker: 'x' });
    readState(layout);
    expect(readState(layout).units['kafka-1']?.pid).toBe(dead);
  });
});
