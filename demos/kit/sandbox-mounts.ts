// Mounts and loop devices in the host's mount namespace, always under a sandbox's own folder
// (`<tmpdir>/wn-<pid36>-<n>`), so the sweep finds a dead run's mounts by their path and never
// touches anything else. A folder is removed only once nothing is mounted under it: rm -r across a
// bind mount would delete the files of the mounted source.

import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mustRun, runCommand } from './sandbox-exec.ts';
import { mtimeMs, ownerGone, tagOf } from './sandbox-names.ts';

/** The mount points of this mount namespace at or under `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => (line.split(' ')[4] ?? '').replace(/\\040/g, ' '))
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** Unmounts `target`; a busy mount is detached lazily (it goes once its last user does). */
export async function unmount(target: string): Promise<void> {
  if (!mountsUnder(target).includes(target)) return;
  const r = await runCommand('umount', [target]);
  if (r.code === 0) return;
  await mustRun('umount', ['--lazy', target]);
}

/** Attaches a file as a loop device; returns /dev/loopN. */
export async function attachLoop(backingFile: string): Promise<string> {
  return (await mustRun('losetup', ['--find', '--show', backingFile])).trim();
}

export async function detachLoop(device: string): Promise<void> {
  const r = await runCommand('losetup', ['--detach', device]);
  if (r.code !== 0 && !/No such device|not a block device|No such file/.test(r.stderr))
    throw new Error(`losetup --detach ${device}: ${r.stderr.trim()}`);
}

/** Loop devices and their backing files, from sysfs (a deleted file ends in " (deleted)"). */
function loopBackings(): { device: string; file: string }[] {
  let names: string[] = [];
  try {
    names = readdirSync('/sys/block').filter((n) => n.startsWith('loop'));
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    try {
      const file = readFileSync(`/sys/block/${n}/loop/backing_file`, 'utf8').trim();
      return [{ device: `/dev/${n}`, file: file.replace(/ \(deleted\)$/, '') }];
    } catch {
      return []; // not attached
    }
  });
}

/** Removes a sandbox folder, refusing while anything is still mounted under it. */
export function removeFolder(dir: string): void {
  const mounted = mountsUnder(dir);
  if (mounted.length)
    throw new Error(`sandbox: ${mounted[0]} is still mounted; not removing ${dir}`);
  rmSync(dir, { recursive: true, force: true });
}

/** Unmounts, detaches and deletes what dead sandboxes left in their folders; returns what. */
export async function sweepFolders(): Promise<string[]> {
  const removed: string[] = [];
  const base = tmpdir();
  const dirs = readdirSync(base).filter((n) => {
    const owner = tagOf(n);
    return owner && owner.tag === n && ownerGone(n, mtimeMs(join(base, n)));
  });
  for (const name of dirs) {
    const dir = join(base, name);
    for (const point of mountsUnder(dir)) {
      await unmount(point);
      removed.push(`mount ${point}`);
    }
    for (const loop of loopBackings().filter((l) => l.file.startsWith(`${dir}/`))) {
      await detachLoop(loop.device);
      removed.push(`loop ${loop.device}`);
    }
    if (existsSync(dir)) {
      removeFolder(dir);
      removed.push(dir);
    }
  }
  return removed;
}
