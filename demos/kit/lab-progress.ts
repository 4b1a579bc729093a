// What a learner has done, per user (not per checkout): which labs are solved and how many hints
// of each claim they have seen, in <state>/labs.json, written atomically.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from './variables.ts';

export interface LabProgress {
  /** When the lab was first solved (ISO), if it was. */
  solved?: string;
  /** Claim text → how many rungs of its hint ladder were shown. */
  hints: Record<string, number>;
}

type Store = Record<string, LabProgress>;

const file = () => join(stateDir(), 'labs.json');

function read(): Store {
  try {
    return JSON.parse(readFileSync(file(), 'utf8')) as Store;
  } catch {
    return {};
  }
}

export function progressOf(topic: string, lab: string): LabProgress {
  return read()[`${topic}/${lab}`] ?? { hints: {} };
}

export function saveProgress(topic: string, lab: string, p: LabProgress): void {
  const store = read();
  store[`${topic}/${lab}`] = p;
  mkdirSync(stateDir(), { recursive: true });
  const tmp = `${file()}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(store, null, 2)}\n`);
  renameSync(tmp, file());
}

/** Hints seen in all, for the listing. */
export function hintsUsed(p: LabProgress): number {
  return Object.values(p.hints).reduce((a, b) => a + b, 0);
}
