// Step: the measured matrix, level × test, a column per server, next to what ANSI SQL forbids.

import { step } from '../kit/define.ts';
import { ansiForbids, type Cell, TESTS } from './anomalies.ts';
import { LEVELS, type Level, SHORT } from './engines.ts';
import type { Env, Server } from './env.ts';
import { cellOf, matrixFigure, snapshotOn } from './show.ts';

/** Every test at every level on `server`: test id → level → cell. */
export async function measureMatrix(
  env: Env,
  server: Server,
): Promise<Map<Level, Map<string, Cell>>> {
  const byLevel = new Map<Level, Map<string, Cell>>(LEVELS.map((l) => [l, new Map()]));
  for (const x of TESTS) {
    for (const level of LEVELS) {
      byLevel.get(level)?.set(x.id, cellOf(await env.measure(server, x, level)));
    }
  }
  return byLevel;
}

export const matrixStep = step<Env>(
  {
    id: 'matrix',
    section: 'the-measured-matrix',
    title: 'The measured matrix, level × anomaly, a column per server, next to ANSI SQL',
  },
  async (t, env) => {
    const measured = await Promise.all(env.servers.map((s) => measureMatrix(env, s)));
    const cells = (i: number, l: Level) => measured[i]?.get(l) ?? new Map<string, Cell>();
    t.say('YES: the anomaly happened; no: it did not; lock: a session waited for a lock first;');
    t.say('a code: a session was refused with that error. ANSI: what SQL-92 (read broadly) says.');
    for (const level of LEVELS) {
      const columns = env.servers.map((server, i) => ({ server, cells: cells(i, level) }));
      t.figure(matrixFigure(level, TESTS, columns));
    }
    for (const [i, server] of env.servers.entries()) {
      const { label, kind } = server.engine;
      const seen = (id: string, l: Level) => cells(i, l).get(id) === 'YES';
      const row = (l: Level) => TESTS.map((x) => seen(x.id, l));
      const weaker: string[] = [];
      const stronger: string[] = [];
      for (const x of TESTS) {
        for (const l of LEVELS) {
          const forbids = ansiForbids(x, l);
          if (forbids === true && seen(x.id, l)) weaker.push(`${SHORT[l]} ${x.id}`);
          if (forbids === false && !seen(x.id, l)) stronger.push(`${SHORT[l]} ${x.id}`);
        }
      }
      const setting = server.snapshot ? `, innodb_snapshot_isolation=${server.snapshot}` : '';
      t.show(`${label} below ANSI`, weaker.join(', ') || 'none');
      t.show(`${label} above ANSI`, stronger.join(', ') || 'none');
      if (kind === 'postgres') {
        t.equal(
          `${label} READ UNCOMMITTED gives the same outcome as READ COMMITTED in every test`,
          row('READ UNCOMMITTED'),
          row('READ COMMITTED'),
        );
        t.check(
          `${label} REPEATABLE READ prevents phantoms (PMP), which ANSI allows at that level`,
          !seen('PMP', 'REPEATABLE READ'),
        );
      } else {
        t.check(
          `${label} READ UNCOMMITTED, unlike PostgreSQL, lets dirty reads (G1a, G1b) through`,
          seen('G1a', 'READ UNCOMMITTED') && seen('G1b', 'READ UNCOMMITTED'),
        );
        t.equal(
          `${label} REPEATABLE READ ${snapshotOn(server) ? 'prevents' : 'allows'} lost update (P4) with innodb_snapshot_isolation=${server.snapshot ?? 'absent'}`,
          seen('P4', 'REPEATABLE READ'),
          !snapshotOn(server),
        );
      }
      t.check(
        `${label} REPEATABLE READ lets write skew (G2-item) through, which ANSI RR forbids${setting}`,
        seen('G2-item', 'REPEATABLE READ'),
      );
      t.equal(
        `${label}: SERIALIZABLE is the only level with no anomaly in any test`,
        LEVELS.filter((l) => row(l).every((x) => !x)),
        ['SERIALIZABLE'],
      );
    }
    // "MySQL's REPEATABLE READ is PostgreSQL's": compare the first server of each kind.
    const pg = env.servers.findIndex((s) => s.engine.kind === 'postgres');
    const maria = env.servers.findIndex((s) => s.engine.kind === 'mariadb');
    if (pg >= 0 && maria >= 0) {
      const rr = 'REPEATABLE READ';
      const differ = TESTS.filter(
        (x) => (cells(pg, rr).get(x.id) === 'YES') !== (cells(maria, rr).get(x.id) === 'YES'),
      ).map((x) => x.id);
      const [a, b] = [env.servers[pg], env.servers[maria]] as [Server, Server];
      t.check(
        `REPEATABLE READ is not one level: ${a.engine.label} and ${b.engine.label} (innodb_snapshot_isolation=${b.snapshot ?? 'absent'}) disagree on ${differ.join(', ') || 'nothing'}`,
        differ.length > 0,
      );
    }
  },
);
