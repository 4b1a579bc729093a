// The unprivileged system users that servers started by root drop to (`postgres`, `frr`), and
// whether such a user can reach a folder of ours at all: a folder is reachable only when every
// folder above it lets others pass (o+x), which root's home (0700) and a sandbox folder do not.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** The user named `name` in /etc/passwd, or undefined when there is none. */
export function systemUser(name: string): SystemUser | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  const [, , uid, gid, , home] = line?.split(':') ?? [];
  if (!uid || !gid || home === undefined) return undefined;
  return { name, uid: Number(uid), gid: Number(gid), home };
}

/** Whether any user can reach `dir`: every folder above it lets others pass (o+x). */
export function reachableByAll(dir: string): boolean {
  for (let d = dirname(dir); ; d = dirname(d)) {
    if (existsSync(d) && (statSync(d).mode & 0o001) === 0) return false;
    if (d === dirname(d)) return true;
  }
}
