// Small filesystems of the run's own, on loop devices from the sandbox: made with mkfs.ext4,
// mounted under the sandbox's folder, and read back through df as a person would.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mustRun } from '../kit/sandbox.ts';
import type { Env } from './env.ts';
import { lines } from './tools.ts';

export interface DfRow {
  total: number;
  used: number;
  free: number;
  /** Use% (or IUse%) as df prints it. */
  percent: number;
}

/** df's row for the filesystem at `mount`: 1 KiB blocks, or inodes with `inodes`. */
export async function df(mount: string, inodes = false): Promise<DfRow & { line: string }> {
  const out = await mustRun('df', [inodes ? '-iP' : '-Pk', mount]);
  const line = lines(out).at(-1) ?? '';
  const f = line.split(/\s+/);
  return {
    total: Number(f[1]),
    used: Number(f[2]),
    free: Number(f[3]),
    percent: Number.parseInt(f[4] ?? '', 10),
    line,
  };
}

/** An ext4 filesystem on a new loop device, mounted on a sandbox folder `name`. */
export async function ext4(env: Env, name: string, bytes: number, mkfsArgs: string[] = []) {
  const { device, file } = await env.sandbox.loop(bytes);
  await mustRun('mkfs.ext4', ['-q', '-F', ...mkfsArgs, device]);
  const mount = env.sandbox.path(name);
  await env.sandbox.mountDevice(device, mount);
  return { device, file, mount };
}

/** Creates empty files in `dir` until the filesystem refuses; returns how many and the error. */
export function fillInodes(dir: string): { created: number; code: string | undefined } {
  for (let i = 0; ; i++) {
    try {
      writeFileSync(join(dir, `f${i}`), '');
    } catch (err) {
      return { created: i, code: (err as NodeJS.ErrnoException).code };
    }
  }
}

/** A full inode table: a 16 MiB ext4 made with 64 inodes, filled with empty files. */
export async function fullInodeTable(env: Env, name: string) {
  const fs = await ext4(env, name, 16 << 20, ['-N', '64']);
  return { ...fs, ...fillInodes(fs.mount) };
}
