// Mutual exclusion between processes on one machine, and writes a reader never sees half of.
//
//   withLock(file, fn, { onWait })   an O_EXCL lock file holding {pid, what, since}: created or
//                                    waited for; a holder whose pid is gone is stale and replaced
//   writeAtomic(file, text)          temp file in the same folder + rename (POSIX: atomic)
//
// The lock is re-entrant along one call chain (a withLock nested inside fn just runs, tracked
// with AsyncLocalStorage), so a locked `up` may call other locked functions; unrelated callers in
// the same process queue like other processes do. Readers never take it: every state file is written
// with writeAtomic, so a read sees the old or the new content, whole.

import { AsyncLocalStorage } from 'node:async_hooks';
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceError } from './proc.ts';

export function writeAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

/** True while `pid` exists (EPERM: it exists, owned by someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface Holder {
  pid: number;
  what: string;
  since: number;
}

/** What this process is, for "waiting for … held by" lines. */
export function describeSelf(): string {
  // A test file's worker's command line names vitest's worker script, not the test.
  if (/\/node_modules\/vitest\//.test(process.argv[1] ?? '')) return 'a vitest run';
  const args = process.argv.slice(1).map((a) => a.replace(/^.*\/(demos|services)\//, '$1/'));
  return args.join(' ').slice(0, 80);
}

/** A lock file nobody could read for `ms`: its creator died between creating and writing it. */
function unreadableFor(file: string, ms: number): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs > ms;
  } catch {
    return false;
  }
}

function readHolder(file: string): Holder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Holder;
    return typeof h.pid === 'number' ? h : undefined;
  } catch {
    return undefined;
  }
}

/** Lock files this process holds, and the async context (a call chain) that holds each. */
const held = new Set<string>();
const context = new AsyncLocalStorage<Set<string>>();
/** In-process queue per file: concurrent callers in one process take turns too. */
const queues = new Map<string, Promise<unknown>>();

export interface LockOptions {
  /** Told once per holder while waiting: "waiting for … (held by pid N: …)". */
  onWait?: (line: string) => void;
  /** Give up after this long (default 10 minutes: a Kafka start holds it for up to 2). */
  timeoutMs?: number;
}

function tryCreate(file: string): boolean {
  try {
    const fd = openSync(file, 'wx');
    try {
      writeFileSync(
        fd,
        JSON.stringify({ pid: process.pid, what: describeSelf(), since: Date.now() }),
      );
    } finally {
      closeSync(fd);
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

async function acquire(file: string, options: LockOptions): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  let told: number | undefined;
  for (;;) {
    if (tryCreate(file)) return;
    const holder = readHolder(file);
    if (holder ? !pidAlive(holder.pid) : unreadableFor(file, 10_000)) {
      // Stale: its process is gone. Rename it away first, so of two processes that both saw it
      // stale only one removes it (the other's rename fails) and neither removes a fresh lock.
      const aside = `${file}.stale.${process.pid}`;
      try {
        renameSync(file, aside);
        const moved = readHolder(aside);
        // A fresh lock moved by mistake goes back, unless a third process took the name.
        if (moved && moved.pid !== holder?.pid) linkSync(aside, file);
      } catch {
        // Someone else cleared it first, or took the name meanwhile.
      } finally {
        rmSync(aside, { force: true });
      }
      continue;
    }
    if (Date.now() > deadline) {
      throw new ServiceError(
        `gave up waiting for ${file} (held by pid ${holder?.pid ?? '?'}: ${holder?.what ?? '?'})`,
      );
    }
    if (holder && told !== holder.pid) {
      told = holder.pid;
      options.onWait?.(
        `waiting for ${file} (held by pid ${holder.pid}: ${holder.what}, for ${Math.round((Date.now() - holder.since) / 1000)} s)`,
      );
    }
    await sleep(100);
  }
}

/** Runs `fn` holding the lock file `file`; a call nested inside `fn` runs at once. */
export async function withLock<T>(
  file: string,
  fn: () => Promise<T> | T,
  options: LockOptions = {},
): Promise<T> {
  const mine = context.getStore();
  if (mine?.has(file)) return fn();
  const before = queues.get(file) ?? Promise.resolve();
  const turn = before.then(async () => {
    await acquire(file, options);
    held.add(file);
    try {
      return await context.run(new Set([...(mine ?? []), file]), fn);
    } finally {
      held.delete(file);
      rmSync(file, { force: true });
    }
  });
  const settled = turn.catch(() => undefined);
  queues.set(file, settled);
  void settled.then(() => {
    if (queues.get(file) === settled) queues.delete(file);
  });
  return turn;
}

// A process that exits (Ctrl-C, process.exit) while holding a lock releases it on the way out.
process.once('exit', () => {
  for (const file of held) {
    if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
  }
});
