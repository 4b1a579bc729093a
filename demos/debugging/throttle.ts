// Tasks in uninterruptible sleep (D), produced honestly without device-mapper: reads with
// O_DIRECT from a loop device whose cgroup may read only a few KiB per second. Each read waits in
// the block layer's throttle, its task in D, using no CPU. Works on cgroup v1 (blkio) and v2 (io).

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { type Cgroup, controllerHome, type SandboxProc } from '../kit/sandbox.ts';
import type { Env } from './env.ts';

interface Throttled {
  device: string;
  cgroup: Cgroup;
  readers: SandboxProc[];
  /** Removes the limit, so reads pending in the throttle complete at once. */
  lift(): Promise<void>;
}

/** The controller that throttles block I/O here: blkio on cgroup v1, io on v2. */
function ioController(): 'blkio' | 'io' {
  return controllerHome('blkio') ? 'blkio' : 'io';
}

/** Starts `n` readers of a new loop device, together limited to `bytesPerSecond`. */
export async function throttledReaders(env: Env, n: number, bytesPerSecond: number) {
  const { device } = await env.sandbox.loop(64 << 20);
  const devno = readFileSync(`/sys/block/${basename(device)}/dev`, 'utf8').trim();
  const controller = ioController();
  const cgroup = await env.sandbox.cgroup([controller]);
  const limit = (rate: number | 'max') =>
    controller === 'blkio'
      ? cgroup.write('blkio.throttle.read_bps_device', `${devno} ${rate === 'max' ? 0 : rate}`)
      : cgroup.write('io.max', `${devno} rbps=${rate}`);
  await limit(bytesPerSecond);
  const dd = ['dd', `if=${device}`, 'of=/dev/null', 'bs=4k', 'count=100000', 'iflag=direct'];
  // One reader pinned to each CPU in turn: PSI counts a stall on the CPU the waiting task last
  // ran on, so readers crowded on one CPU of many would make "some" look small.
  const cpus = availableParallelism();
  const readers = Array.from({ length: n }, (_, i) =>
    env.sandbox.start('taskset', ['-c', String(i % cpus), ...dd], { cgroup }),
  );
  return { device, cgroup, readers, lift: () => limit('max') } satisfies Throttled;
}

/** The iowait ticks (USER_HZ) of all CPUs: the 5th value of the `cpu` line of /proc/stat. */
export function iowaitTicks(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  return Number(cpu.trim().split(/\s+/)[5]);
}
