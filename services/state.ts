// What `npm run services` remembers, once per user (the layout's folder, by default
// $WIRENOTES_STATE_DIR or $XDG_STATE_HOME/wirenotes): one record per unit it started — a Kafka
// node, nginx, a native database server, or a compose service — with its pid and the command-line
// marker that tells it from a reused pid, its folder, how it was started and from which checkout.
// Every checkout reads the same records, so any of them sees, stops and restarts the same
// services. Changes happen under the services lock and are written atomically (lock.ts); reading
// never changes or deletes anything (a record whose process died stays until a locked change
// replaces or forgets it).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../demos/kit/args.ts';
import type { ServiceName } from '../demos/kit/endpoints.ts';
import { ROOT } from '../demos/kit/paths.ts';
import type { Layout } from './layout.ts';
import { type LockOptions, withLock, writeAtomic } from './lock.ts';
import { alive } from './proc.ts';

/** A service `npm run services` manages: a record in demos/kit/endpoints.ts, named in SERVICES. */
export type Service = ServiceName;
export type Mode = 'auto' | 'native' | 'docker';
export type StartedBy = 'native' | 'docker' | 'external';

export interface Options {
  mode?: Mode;
  /** Progress lines ("waiting for …"); silent by default. */
  report?: (line: string) => void;
  layout?: Layout;
}

export interface UnitRecord {
  /** The service the unit belongs to: kafka for kafka-1…3. */
  service: Service;
  via: 'native' | 'docker';
  /** The process (native); absent once stopped on purpose (`stop kafka-2`): the folder stays. */
  pid?: number;
  /** A substring of the process's command line: a reused pid does not match it. */
  marker?: string;
  /** Its folder: configuration, data, log. */
  dir?: string;
  /** The address it serves, as started (host:port,…). */
  address?: string;
  /** The checkout whose `npm run services` (or test run) started it. */
  checkout: string;
  since: string;
  /** nginx: the config's mtime it last loaded, to reload on change. */
  configMtime?: number;
}

export interface State {
  units: Record<string, UnitRecord>;
}

function stateFile(layout: Layout): string {
  return join(layout.dir, 'state.json');
}

/** The records as they are now; never writes. */
export function readState(layout: Layout): State {
  try {
    const s = JSON.parse(readFileSync(stateFile(layout), 'utf8')) as Partial<State>;
    return { units: s.units ?? {} };
  } catch {
    return { units: {} };
  }
}

/** Runs `fn` holding the services lock of this layout (up, down, stop, start, clean). */
export function withServicesLock<T>(
  layout: Layout,
  fn: () => Promise<T> | T,
  report?: (line: string) => void,
): Promise<T> {
  const options: LockOptions = { onWait: report };
  return withLock(join(layout.dir, 'services.lock'), fn, options);
}

/** Changes the records under the lock: read, change, write atomically. */
export function updateState(layout: Layout, change: (state: State) => void): Promise<void> {
  return withServicesLock(layout, () => {
    const state = readState(layout);
    change(state);
    writeAtomic(stateFile(layout), `${JSON.stringify(state, null, 2)}\n`);
  });
}

/** Records (or replaces) one unit, stamped with this checkout and the time. */
export function remember(
  layout: Layout,
  unit: string,
  record: Omit<UnitRecord, 'checkout' | 'since'> & Partial<UnitRecord>,
): Promise<void> {
  return updateState(layout, (s) => {
    s.units[unit] = { checkout: ROOT, since: new Date().toISOString(), ...record };
  });
}

export function forget(layout: Layout, units: string[]): Promise<void> {
  return updateState(layout, (s) => {
    for (const u of units) delete s.units[u];
  });
}

/** The live pid of a unit's record (its command line still carries the marker), else undefined. */
export function livePidOf(layout: Layout, unit: string): number | undefined {
  const r = readState(layout).units[unit];
  return r?.pid !== undefined && r.marker && alive(r.pid, r.marker) ? r.pid : undefined;
}

/** Units started with `docker compose` for these services. */
export function dockerUnits(layout: Layout, services?: Service[]): string[] {
  return Object.entries(readState(layout).units)
    .filter(([, r]) => r.via === 'docker' && (!services || services.includes(r.service)))
    .map(([u]) => u);
}

/** The list the CLI accepts, in order; unknown names are a UsageError. */
export function normalize(names: string[] | undefined, known: Service[]): Service[] {
  if (!names?.length) return [...known];
  for (const n of names) {
    if (!known.includes(n as Service)) {
      throw new UsageError(`unknown service "${n}" (known: ${known.join(', ')})`);
    }
  }
  return known.filter((s) => names.includes(s));
}
