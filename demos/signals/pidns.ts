// A command as PID 1 of a new PID namespace: `unshare --pid --fork --mount-proc` (we are root).
// unshare forks the namespace's init and waits for it; with --fork it blocks TERM and INT itself,
// so signals go to the init's host pid, which the kernel maps to PID 1 inside.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { childrenOf, type Proc, type Processes, procState, statusField, until } from './harness.ts';

export interface Namespace {
  /** The unshare process: it exits with the init's status. */
  unshare: Proc;
  /** The host pid of the namespace's PID 1. */
  init: number;
  /** Every process of the namespace: host pid, pid inside, state, command. */
  members(): Member[];
}

interface Member {
  hostPid: number;
  nsPid: number;
  state: string;
  command: string;
}

/** unshare running `command` as PID 1 of a new namespace (for a command that exits by itself). */
export function unshared(procs: Processes, command: string[]): Proc {
  return procs.start('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', ...command]);
}

export async function inNamespace(procs: Processes, command: string[]): Promise<Namespace> {
  const unshare = unshared(procs, command);
  const init = await until(`the init of ${command.join(' ')}`, () => {
    if (!unshare.running()) throw new Error(`unshare exited: ${unshare.output().trim()}`);
    return childrenOf(unshare.pid)[0];
  });
  return { unshare, init, members: () => members(init) };
}

/** The versions of unshare and tini, as they report themselves. */
export function nsToolVersions(): Record<string, string> {
  const said = (cmd: string) => spawnSync(cmd, ['--version'], { encoding: 'utf8' }).stdout ?? '';
  return {
    'util-linux unshare': /util-linux (\S+)/.exec(said('unshare'))?.[1] ?? 'unknown',
    tini: /tini version (\S+)/.exec(said('tini'))?.[1] ?? 'unknown',
  };
}

function members(init: number): Member[] {
  const out: Member[] = [];
  const walk = (pid: number) => {
    const state = procState(pid);
    if (state === undefined) return;
    const nsPid = Number(statusField(pid, 'NSpid')?.split(/\s+/).at(-1));
    out.push({ hostPid: pid, nsPid, state, command: commandOf(pid) });
    for (const c of childrenOf(pid)) walk(c);
  };
  walk(init);
  return out;
}

function commandOf(pid: number): string {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    // A zombie has no command line left, only its name.
    return argv.length
      ? argv.map((a) => a.replace(/\/\S*\//g, '')).join(' ')
      : `[${statusField(pid, 'Name')}]`;
  } catch {
    return '';
  }
}
