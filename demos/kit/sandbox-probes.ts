// The needs of demos built on kit/sandbox.ts, probed by trying the real thing in well under 5 s:
// root, new namespaces of every type, a named network namespace, a cgroup with a controller.
// What a probe makes, it removes at once (its names carry this pid, so a sweep finds a leftover).
// The sandbox's modules load when a probe runs: every demo loads the registry of needs, and one
// that needs none of these (a plain `npx tsx demos/jwt`) starts without them.

import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Probed } from './probes.ts';

const TIMEOUT_MS = 3000;

export async function rootProbe(): Promise<Probed> {
  const uid = process.getuid?.();
  const ok = uid === 0;
  return { ok, address: 'uid', problem: ok ? undefined : `running as uid ${uid}, not root` };
}

async function tried(command: string, args: string[]): Promise<Probed> {
  const address = `${command} ${args.join(' ')}`;
  try {
    const { runCommand } = await import('./sandbox-exec.ts');
    const r = await runCommand(command, args, { timeoutMs: TIMEOUT_MS });
    if (r.code === 0) return { ok: true, address };
    const why = r.stderr.trim().split('\n')[0] || `exit ${r.code ?? r.signal}`;
    return { ok: false, address, problem: `\`${address}\` failed: ${why}` };
  } catch (err) {
    return { ok: false, address, problem: (err as Error).message };
  }
}

/** util-linux `unshare` can make one namespace of each of the eight types at once. */
export function namespacesProbe(): Promise<Probed> {
  const all = ['--mount', '--uts', '--ipc', '--net', '--pid', '--fork', '--cgroup', '--time'];
  return tried('unshare', [...all, 'true']);
}

/** iproute2 can add (and delete) a named network namespace. */
export async function netnsProbe(): Promise<Probed> {
  const name = `wn-${process.pid.toString(36)}-zzp`;
  const added = await tried('ip', ['netns', 'add', name]);
  if (added.ok) await tried('ip', ['netns', 'delete', name]);
  return added;
}

/** A cgroup with `controller` can be made (and removed) here, on whichever version has it. */
export async function cgroupProbe(controller: string): Promise<Probed> {
  const { controllerHome } = await import('./sandbox-cgroup.ts');
  const home = controllerHome(controller);
  if (!home) {
    const problem = `the ${controller} controller is mounted in no cgroup hierarchy`;
    return { ok: false, address: '/proc/self/mountinfo', problem };
  }
  const dir = join(home.root, `wn-${process.pid.toString(36)}-zzp${controller}`);
  try {
    mkdirSync(dir);
    rmdirSync(dir);
    return { ok: true, address: `${home.root} (cgroup v${home.version})` };
  } catch (err) {
    const problem = `cannot make a cgroup in ${home.root}: ${(err as NodeJS.ErrnoException).code}`;
    return { ok: false, address: home.root, problem };
  }
}

/** A free loop device can be found (`losetup --find` attaches nothing) and mkfs.ext4 is there. */
export async function loopProbe(): Promise<Probed> {
  const root = await rootProbe();
  if (!root.ok) return root;
  const found = await tried('losetup', ['--find']);
  if (!found.ok) return found;
  return tried('mkfs.ext4', ['-V']);
}
