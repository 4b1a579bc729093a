// Names of what a run creates in a shared service (Kafka topics and groups, database tables):
// recognisable, unique per run, and carrying their creation time and owner, so the next run can
// tell a dead run's leftovers from a live run's work and sweep only the former.

import { randomBytes } from 'node:crypto';

const PREFIX = 'wn';
/** A run older than this is over, whatever its pid says (pids are reused). */
export const STALE_AFTER_MS = 10 * 60_000;

/** `wn_<topic>_<epoch seconds>_<pid>_<4 hex>`: lower case, digits and `_`, valid everywhere. */
export function runName(topic: string, now = Date.now()): string {
  if (!/^[a-z][a-z0-9]*$/.test(topic)) throw new Error(`runName: "${topic}" is not a-z0-9`);
  const stamp = Math.floor(now / 1000);
  return `${PREFIX}_${topic}_${stamp}_${process.pid}_${randomBytes(2).toString('hex')}`;
}

export interface RunNameParts {
  topic: string;
  createdMs: number;
  pid: number;
}

const PATTERN = /^wn_([a-z][a-z0-9]*)_(\d{9,11})_(\d+)_[0-9a-f]{4}/;

/** The parts of a name made by runName (or a name that starts with one), else undefined. */
export function parseRunName(name: string): RunNameParts | undefined {
  const m = PATTERN.exec(name);
  if (!m) return undefined;
  return { topic: m[1] as string, createdMs: Number(m[2]) * 1000, pid: Number(m[3]) };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A leftover of a dead run: made by runName for this topic, and either older than `maxAgeMs` or
 * owned by a process that is gone. A live run's names are never stale while it is young.
 */
export function isStale(name: string, topic: string, maxAgeMs = STALE_AFTER_MS, now = Date.now()) {
  const parts = parseRunName(name);
  if (!parts || parts.topic !== topic) return false;
  if (parts.pid === process.pid) return false;
  return now - parts.createdMs > maxAgeMs || !pidAlive(parts.pid);
}
