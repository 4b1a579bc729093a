// A container image is a folder of files. This one is assembled from the host's own binaries:
// each command and the shared libraries `ldd` says it loads, copied to the same paths under the
// new root (what a `FROM scratch` image with COPY'd binaries holds). No package to install and
// nothing downloaded; debootstrap would fetch ~300 MB for the same eight commands.

import { chmodSync, copyFileSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { onPath } from '../kit/probes.ts';
import { mustRun } from '../kit/sandbox.ts';

/** What the container's shell runs: enough to look around (ps, ls, ip, hostname) and mount /proc. */
const ROOTFS_COMMANDS = ['sh', 'ls', 'cat', 'ps', 'hostname', 'ip', 'mount', 'umount'];

export interface Rootfs {
  dir: string;
  /** How many files were copied, and their bytes. */
  files: number;
  bytes: number;
}

function copyInto(root: string, file: string, as = file): number {
  const target = join(root, as);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(realpathSync(file), target);
  chmodSync(target, statSync(file).mode & 0o777);
  return statSync(target).size;
}

/** Copies each command to /bin and its libraries (and the loader) to their own paths. */
export async function buildRootfs(root: string, commands = ROOTFS_COMMANDS): Promise<Rootfs> {
  const libs = new Set<string>();
  let bytes = 0;
  let files = 0;
  for (const command of commands) {
    const file = onPath(command) ?? `/usr/sbin/${command}`;
    bytes += copyInto(root, file, `/bin/${command}`);
    files += 1;
    // `libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)` and `/lib64/ld-linux-x86-64.so.2 (0x…)`
    for (const m of (await mustRun('ldd', [file])).matchAll(/(\/\S+) \(0x/g))
      libs.add(m[1] as string);
  }
  for (const lib of libs) {
    bytes += copyInto(root, lib);
    files += 1;
  }
  for (const d of ['proc', 'tmp', '.old']) mkdirSync(join(root, d), { recursive: true });
  return { dir: root, files, bytes };
}
