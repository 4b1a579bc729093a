// The note's claims, written down: at which levels each engine lets each anomaly through, and
// what ANSI SQL-92 forbids. The demo measures; these only say what the measurement should show.

import type { EngineId, Level } from './engines.ts';

export interface AnomalyInfo {
  id: string;
  /** The note's section slug for this anomaly. */
  section: string;
  title: string;
  /** ANSI phenomenon (Berenson et al.'s broad reading) and the lowest level that forbids it. */
  ansi?: { phenomenon: string; forbiddenFrom: Level };
  /** The level whose timeline the transcript prints in full, per engine. */
  showcase: Record<EngineId, Level>;
}

const RU: Level = 'READ UNCOMMITTED';
const RC: Level = 'READ COMMITTED';
const RR: Level = 'REPEATABLE READ';
const SER: Level = 'SERIALIZABLE';

export const ANOMALIES: AnomalyInfo[] = [
  {
    id: 'G0',
    section: 'g0-dirty-write',
    title: 'G0 dirty write: no level lets two writers interleave on a row',
    ansi: { phenomenon: 'P0', forbiddenFrom: RU },
    showcase: { postgres: RU, mariadb: RU },
  },
  {
    id: 'G1a',
    section: 'g1a-aborted-read',
    title: 'G1a aborted read: only MariaDB READ UNCOMMITTED shows a rolled-back value',
    ansi: { phenomenon: 'P1', forbiddenFrom: RC },
    showcase: { postgres: RU, mariadb: RU },
  },
  {
    id: 'G1b',
    section: 'g1b-intermediate-read',
    title: "G1b intermediate read: another transaction's unfinished value",
    ansi: { phenomenon: 'P1', forbiddenFrom: RC },
    showcase: { postgres: RU, mariadb: SER },
  },
  {
    id: 'G1c',
    section: 'g1c-circular-information-flow',
    title: "G1c circular information flow: each reads the other's uncommitted write",
    ansi: { phenomenon: 'P1', forbiddenFrom: RC },
    showcase: { postgres: RC, mariadb: RU },
  },
  {
    id: 'OTV',
    section: 'otv-observed-transaction-vanishes',
    title: 'OTV observed transaction vanishes: a committed write seen, then overwritten',
    showcase: { postgres: RC, mariadb: RU },
  },
  {
    id: 'PMP',
    section: 'pmp-phantom-read',
    title: 'PMP phantom: a predicate read grows between two reads',
    ansi: { phenomenon: 'P3', forbiddenFrom: SER },
    showcase: { postgres: RR, mariadb: SER },
  },
  {
    id: 'PMP-write',
    section: 'pmp-write-predicate-write',
    title: 'PMP-write: a DELETE whose predicate races an UPDATE',
    ansi: { phenomenon: 'P3', forbiddenFrom: SER },
    showcase: { postgres: RC, mariadb: RR },
  },
  {
    id: 'P4',
    section: 'p4-lost-update',
    title: 'P4 lost update: read, compute in the client, write back',
    ansi: { phenomenon: 'P2', forbiddenFrom: RR },
    showcase: { postgres: RR, mariadb: RR },
  },
  {
    id: 'P4-incr',
    section: 'p4-lost-update',
    title: 'P4 with SET value = value + 1',
    showcase: { postgres: RC, mariadb: RR },
  },
  {
    id: 'G-single',
    section: 'g-single-read-skew',
    title: 'G-single read skew: half of a committed transfer',
    ansi: { phenomenon: 'P2', forbiddenFrom: RR },
    showcase: { postgres: RC, mariadb: RR },
  },
  {
    id: 'G-single-write',
    section: 'g-single-read-skew',
    title: 'G-single read skew, followed by a write',
    showcase: { postgres: RR, mariadb: RR },
  },
  {
    id: 'G2-item',
    section: 'g2-item-write-skew',
    title: 'G2-item write skew: disjoint writes based on the same reads',
    ansi: { phenomenon: 'P2', forbiddenFrom: RR },
    showcase: { postgres: SER, mariadb: SER },
  },
  {
    id: 'G2',
    section: 'g2-anti-dependency-cycle',
    title: 'G2 anti-dependency cycle: two inserts, each invisible to the other check',
    ansi: { phenomenon: 'P3', forbiddenFrom: SER },
    showcase: { postgres: SER, mariadb: RR },
  },
];

/** The levels at which the note says the anomaly occurs. */
export function expectedLevels(engine: EngineId, id: string, snapshotOn: boolean): Level[] {
  if (engine === 'postgres') {
    if (['PMP', 'PMP-write', 'P4', 'G-single'].includes(id)) return [RU, RC];
    if (['G2-item', 'G2'].includes(id)) return [RU, RC, RR];
    return [];
  }
  switch (id) {
    case 'G1a':
    case 'G1b':
    case 'G1c':
    case 'OTV':
      return [RU];
    case 'PMP':
    case 'G-single':
      return [RU, RC];
    case 'PMP-write':
    case 'G-single-write':
      return snapshotOn ? [] : [RR];
    case 'P4':
      return snapshotOn ? [RU, RC] : [RU, RC, RR];
    case 'G2-item':
    case 'G2':
      return [RU, RC, RR];
    default:
      return [];
  }
}

export function ansiForbids(info: AnomalyInfo, level: Level): boolean | undefined {
  if (!info.ansi) return undefined;
  const order = [RU, RC, RR, SER];
  return order.indexOf(level) >= order.indexOf(info.ansi.forbiddenFrom);
}

export function anomaly(id: string): AnomalyInfo {
  const a = ANOMALIES.find((x) => x.id === id);
  if (!a) throw new Error(`unknown anomaly ${id}`);
  return a;
}
