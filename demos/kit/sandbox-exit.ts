// The last resort: removing a sandbox's objects synchronously, from process.on('exit'). A second
// Ctrl-C (or a relayed one) makes the kit call process.exit while the async cleanup is still
// running; only synchronous work runs after that. Each function is idempotent: an object already
// gone is fine. (A death by SIGKILL runs nothing: the next run's sweep removes what is left.)

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

const quiet = { stdio: 'ignore' as const, timeout: 5000 };

/** Blocks for `ms` (the exit handler cannot await). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

export function deleteNetnsSync(name: string): void {
  const pids = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8', timeout: 5000 });
  killAll(
    String(pids.stdout ?? '')
      .split('\n')
      .filter(Boolean)
      .map(Number),
  );
  spawnSync('ip', ['netns', 'delete', name], quiet);
}

export function deleteLinkSync(name: string, netns?: string): void {
  spawnSync('ip', [...(netns ? ['-n', netns] : []), 'link', 'delete', name], quiet);
}

/** The folders named `name` at the root of every cgroup hierarchy: killed empty, then removed. */
export function removeCgroupSync(name: string): void {
  const roots = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => / - cgroup2? /.test(l))
    .map((l) => realpathSync(l.split(' ')[4] as string));
  for (const dir of [...new Set(roots)].map((r) => join(r, name)).filter(existsSync)) {
    for (let tries = 0; tries < 150; tries++) {
      const left = readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
      killAll(left.map(Number));
      try {
        rmdirSync(dir);
        break;
      } catch {
        pause(20); // members still dying, or the folder still being freed
      }
    }
  }
}

export function unmountSync(target: string): void {
  spawnSync('umount', ['--lazy', target], quiet);
}

/** Detaches every loop device backed by `file`. */
export function detachLoopsOfSync(file: string): void {
  for (const loop of readdirSync('/sys/block').filter((n) => n.startsWith('loop'))) {
    try {
      const backing = readFileSync(`/sys/block/${loop}/loop/backing_file`, 'utf8').trim();
      if (backing.replace(/ \(deleted\)$/, '') === file)
        spawnSync('losetup', ['--detach', `/dev/${loop}`], quiet);
    } catch {
      // not attached
    }
  }
}
