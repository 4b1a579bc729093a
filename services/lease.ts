// Leases on a shared service, between processes (two `npx tsx demos/kafka`, two vitest runs):
//
//   // a run that only uses the cluster: a SHARED lease for its whole session
//   const lease = await acquireLease('kafka', { onWait: (l) => t.waiting(l) });   // openEnv
//   lease.release();                                                               // closeEnv
//
//   // a step that stops a broker: an EXCLUSIVE lease around the stop … start
//   await withLease('kafka', async () => { await stopNode('kafka-2'); …; await startNode('kafka-2') },
//     { exclusive: true, onWait: (l) => t.waiting(l) });
//
// Shared leases coexist; an exclusive one waits until no other process holds the lease, and while
// it waits no new shared lease is granted (a failover is not starved by a stream of runs). A
// process that holds the lease shared and asks for it exclusively gives its shared lease up while
// it waits and takes it back after (two runs that both reach failover cannot deadlock). onWait is
// told, once per change, what is waited for: "waiting for the kafka lease: pid 4242 holds it
// shared (demos/kafka), 12 s". Each holder or waiter is one file under
// <state>/leases/<name>/, removed on release and on process exit; a file whose pid is gone is
// ignored (and removed by `npm run services -- clean`), so a killed run blocks no one.

import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type LeaseEntry, leaseEntries } from '../demos/kit/probes.ts';
import { stateDir } from '../demos/kit/variables.ts';
import { describeSelf, withLock, writeAtomic } from './lock.ts';
import { ServiceError } from './proc.ts';

export interface LeaseOptions {
  /** Exclusive: no other process holds the lease meanwhile. Default: shared. */
  exclusive?: boolean;
  /** Told what is waited for, when the wait starts and whenever the blockers change. */
  onWait?: (line: string) => void;
  /** Give up (ServiceError) after this long; default 10 minutes. */
  timeoutMs?: number;
  /** The state folder (tests); default the per-user one. */
  dir?: string;
}

export interface Lease {
  readonly name: string;
  readonly exclusive: boolean;
  /** Gives the lease up (idempotent). */
  release(): void;
}

/** Files this process owns (holders and waiters), removed on exit. */
const own = new Set<string>();
/** This process's shared leases, by folder, for the shared → exclusive hand-over. */
const sharedHere = new Map<string, Set<Handle>>();
let counter = 0;

function leaseDir(name: string, dir: string | undefined): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`lease name "${name}": use a-z, 0-9, -`);
  return join(dir ?? stateDir(), 'leases', name);
}

function blockers(entries: LeaseEntry[], exclusive: boolean): LeaseEntry[] {
  return exclusive ? entries.filter((e) => e.holds) : entries.filter((e) => e.exclusive);
}

function describe(name: string, blocking: LeaseEntry[]): string {
  const who = blocking
    .map(
      (e) =>
        `pid ${e.pid} ${e.holds ? 'holds' : 'waits for'} it ${e.exclusive ? 'exclusively' : 'shared'} (${e.what}), ${Math.round((Date.now() - e.since) / 1000)} s`,
    )
    .join('; ');
  return `waiting for the ${name} lease: ${who}`;
}

/** True while a live process holds (or waits for) the lease exclusively: it is in the middle of
 * something, such as a failover, that it will finish itself. */
export function exclusivelyTaken(name: string, dir?: string): boolean {
  return leaseEntries(leaseDir(name, dir), '').some((e) => e.exclusive);
}

/** A lease as callers see it; the file behind it can change (the shared → exclusive hand-over). */
class Handle implements Lease {
  private released = false;
  constructor(
    readonly name: string,
    readonly exclusive: boolean,
    /** Removes the current file. */
    public drop: () => void,
    private readonly onRelease: () => void = () => undefined,
  ) {}
  get active(): boolean {
    return !this.released;
  }
  release(): void {
    if (this.released) return;
    this.released = true;
    this.onRelease();
    this.drop();
  }
}

/** Waits until the lease is granted; returns the function that gives it up. */
async function take(name: string, options: LeaseOptions): Promise<() => void> {
  const folder = leaseDir(name, options.dir);
  mkdirSync(folder, { recursive: true });
  const exclusive = options.exclusive === true;
  const file = join(folder, `${process.pid}-${++counter}.json`);
  const entry: LeaseEntry = {
    pid: process.pid,
    exclusive,
    holds: false,
    what: describeSelf(),
    since: Date.now(),
  };
  const write = () => writeAtomic(file, JSON.stringify(entry));
  const drop = () => {
    own.delete(file);
    rmSync(file, { force: true });
  };
  own.add(file);
  write();
  const timeoutMs = options.timeoutMs ?? 600_000;
  const deadline = Date.now() + timeoutMs;
  let told = '';
  try {
    for (;;) {
      // The check and the promotion happen under the lease's lock: two exclusive waiters never
      // both see a free lease.
      const blocking = await withLock(join(folder, 'lock'), () => {
        const b = blockers(leaseEntries(folder, file), exclusive);
        if (!b.length) {
          entry.holds = true;
          entry.since = Date.now();
          write();
        }
        return b;
      });
      if (!blocking.length) return drop;
      const key = blocking.map((e) => `${e.pid}:${e.holds}:${e.exclusive}`).join(',');
      if (key !== told) {
        told = key;
        options.onWait?.(describe(name, blocking));
      }
      if (Date.now() > deadline) {
        throw new ServiceError(`gave up after ${timeoutMs / 1000} s ${describe(name, blocking)}`);
      }
      await sleep(200);
    }
  } catch (err) {
    drop();
    throw err;
  }
}

/** Takes the lease (shared unless options.exclusive), waiting for it; release() gives it up. */
export async function acquireLease(name: string, options: LeaseOptions = {}): Promise<Lease> {
  const drop = await take(name, options);
  if (options.exclusive) return new Handle(name, true, drop);
  const key = leaseDir(name, options.dir);
  const set = sharedHere.get(key) ?? new Set<Handle>();
  sharedHere.set(key, set);
  const handle = new Handle(name, false, drop, () => set.delete(handle));
  set.add(handle);
  return handle;
}

/**
 * Runs `fn` holding the lease. Exclusive, when this process holds the lease shared: the shared
 * lease is given up while waiting and taken back (shared) after `fn`, whatever `fn` did.
 */
export async function withLease<T>(
  name: string,
  fn: () => Promise<T> | T,
  options: LeaseOptions = {},
): Promise<T> {
  const key = leaseDir(name, options.dir);
  const mine = options.exclusive ? [...(sharedHere.get(key) ?? [])] : [];
  for (const s of mine) s.drop();
  try {
    const drop = await take(name, options);
    try {
      return await fn();
    } finally {
      drop();
    }
  } finally {
    for (const s of mine) {
      if (s.active) s.drop = await take(name, { ...options, exclusive: false });
    }
  }
}

// Ctrl-C, process.exit or a crash: the holder files go with the process (a kill -9 leaves them,
// and the dead pid makes them count for nothing).
process.once('exit', () => {
  for (const file of own) rmSync(file, { force: true });
});
