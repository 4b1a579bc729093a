// The services this command knows, the options every API call takes, and what it remembers
// under the state folder: which services it started with `docker compose` (state.json). Natively
// started processes are remembered by their pid files instead.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../demos/kit/args.ts';
import type { Layout } from './layout.ts';

export type Service = 'kafka' | 'postgres' | 'mariadb' | 'nginx';
export const SERVICES: Service[] = ['kafka', 'postgres', 'mariadb', 'nginx'];
export type Mode = 'auto' | 'native' | 'docker';
export type StartedBy = 'native' | 'docker' | 'external';

export interface Options {
  mode?: Mode;
  /** Progress lines ("waiting for …"); silent by default. */
  report?: (line: string) => void;
  layout?: Layout;
}

export function normalize(names: string[] | undefined): Service[] {
  if (!names?.length) return [...SERVICES];
  for (const n of names) {
    if (!SERVICES.includes(n as Service)) {
      throw new UsageError(`unknown service "${n}" (known: ${SERVICES.join(', ')})`);
    }
  }
  return SERVICES.filter((s) => names.includes(s));
}

interface State {
  /** Services this command started with `docker compose`. */
  docker: Service[];
}

function stateFile(layout: Layout): string {
  return join(layout.dir, 'state.json');
}

export function readState(layout: Layout): State {
  try {
    const s = JSON.parse(readFileSync(stateFile(layout), 'utf8')) as Partial<State>;
    return { docker: s.docker ?? [] };
  } catch {
    return { docker: [] };
  }
}

function writeState(layout: Layout, state: State): void {
  mkdirSync(layout.dir, { recursive: true });
  writeFileSync(stateFile(layout), `${JSON.stringify(state, null, 2)}\n`);
}

export function rememberDocker(layout: Layout, services: Service[], started: boolean): void {
  const state = readState(layout);
  const set = new Set(state.docker);
  for (const s of services) started ? set.add(s) : set.delete(s);
  writeState(layout, { docker: SERVICES.filter((s) => set.has(s)) });
}
