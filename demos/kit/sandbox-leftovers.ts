// What sandboxes have on this machine right now, read from the kernel's own lists: network
// namespaces (/run/netns) and their /etc files (/etc/netns), host interfaces (`ip link`), cgroup
// folders at every hierarchy's root, mounts under a sandbox folder, loop devices backed by a file
// in one, marked processes, and the folders themselves. Used by tests and by the leftovers check
// after a run or an interrupt.

import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from './sandbox-exec.ts';
import { SANDBOX_MARK } from './sandbox-procs.ts';

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function cgroupRoots(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => / - cgroup2? /.test(l))
    .map((l) => l.split(' ')[4] as string);
}

/** Every object whose name starts with `prefix` (a sandbox's tag, or `wn-` for all of them). */
export async function sandboxObjects(prefix = 'wn-'): Promise<string[]> {
  const found: string[] = [];
  const mine = (name: string) => name.startsWith(prefix);
  for (const ns of list('/run/netns').filter(mine)) found.push(`netns ${ns}`);
  for (const ns of list('/etc/netns').filter(mine)) found.push(`folder /etc/netns/${ns}`);
  const links = await runCommand('ip', ['-o', 'link', 'show']);
  for (const m of links.stdout.matchAll(/^\d+: ([^:@\s]+)/gm))
    if (mine(m[1] as string)) found.push(`link ${m[1]}`);
  for (const root of cgroupRoots())
    for (const c of list(root).filter(mine)) found.push(`cgroup ${join(root, c)}`);
  const folder = join(tmpdir(), prefix);
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const point = line.split(' ')[4];
    if (point?.startsWith(folder)) found.push(`mount ${point}`);
  }
  for (const loop of list('/sys/block').filter((n) => n.startsWith('loop'))) {
    try {
      const file = readFileSync(`/sys/block/${loop}/loop/backing_file`, 'utf8').trim();
      if (file.startsWith(folder)) found.push(`loop /dev/${loop} (${file})`);
    } catch {
      // not attached
    }
  }
  for (const pid of list('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'latin1');
      const mark = new RegExp(`(^|\\0)${SANDBOX_MARK}=${prefix}`);
      if (mark.test(env)) found.push(`process ${pid}`);
    } catch {
      // gone
    }
  }
  for (const dir of list(tmpdir()).filter((n) => mine(n) && /^wn-[0-9a-z]+-[0-9a-z]{2}$/.test(n)))
    found.push(`folder ${join(tmpdir(), dir)}`);
  return found;
}
