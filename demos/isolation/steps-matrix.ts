// Steps: the defaults read from the servers, one step per anomaly (every level, both engines),
// and the measured matrix next to the ANSI table.

import { type Step, type StepContext, step } from '../kit/define.ts';
import { type EngineId, LEVELS, type Level, SHORT } from './engines.ts';
import { ANOMALIES, type AnomalyInfo, ansiForbids, expectedLevels } from './expectations.ts';
import type { Lab } from './lab.ts';
import type { Run } from './runner.ts';
import { scenario } from './scenarios.ts';
import { cell, renderTimeline } from './timeline.ts';

export const ENGINES: EngineId[] = ['postgres', 'mariadb'];
const LABEL: Record<EngineId, string> = { postgres: 'PostgreSQL', mariadb: 'MariaDB' };

export const snapshotOn = (lab: Lab) => lab.snapshotSetting === 'ON';

/** Every level of one anomaly on one engine, measured (each run happens once per demo run). */
export async function measureRow(lab: Lab, engine: EngineId, id: string): Promise<Run[]> {
  const runs: Run[] = [];
  for (const level of LEVELS) runs.push(await lab.measure(engine, id, level));
  return runs;
}

/** The claim per level: "PostgreSQL REPEATABLE READ: P4 lost update does not occur". */
export function claimCells(t: StepContext, lab: Lab, engine: EngineId, id: string, runs: Run[]) {
  const expected = expectedLevels(engine, id, snapshotOn(lab));
  const name = scenario(id).name;
  for (const run of runs) {
    const occurs = expected.includes(run.level);
    t.check(
      `${LABEL[engine]} ${run.level}: ${id} (${name}) ${occurs ? 'occurs' : 'does not occur'}`,
      run.verdict.anomaly === occurs,
      `measured: ${run.verdict.anomaly ? 'occurred' : 'did not occur'} (${run.verdict.evidence})`,
    );
  }
}

export function showTimeline(t: StepContext, run: Run, engineId: EngineId) {
  const sc = scenario(run.scenario);
  t.say(`${LABEL[engineId]} at ${run.level} (every session):`);
  t.block(renderTimeline(run, sc.sessions));
  t.show('seen', run.verdict.evidence);
}

function anomalyStep(info: AnomalyInfo, extra?: string): Step<Lab> {
  const ids = extra ? [info.id, extra] : [info.id];
  return step(
    info.section,
    info.title,
    async (t, lab) => {
      for (const id of ids) {
        const sc = scenario(id);
        t.say(`${id}, ${sc.name}: ${sc.idea}`);
        const inf = ANOMALIES.find((a) => a.id === id) as AnomalyInfo;
        for (const engine of ENGINES) {
          const runs = await measureRow(lab, engine, id);
          const shown = runs.find((r) => r.level === inf.showcase[engine]) as Run;
          showTimeline(t, shown, engine);
          t.show(LABEL[engine], runs.map((r) => `${SHORT[r.level]}: ${cell(r)}`).join('   '));
          claimCells(t, lab, engine, id, runs);
        }
      }
    },
    { id: info.id.toLowerCase() },
  );
}

export const defaultsStep: Step<Lab> = step(
  'default-levels',
  'The default level: READ COMMITTED on PostgreSQL, REPEATABLE READ on MariaDB',
  async (t, lab) => {
    const pg = lab.engine('postgres').admin;
    const [p] = await pg.raw<{ level: string; version: string }>(
      "SELECT current_setting('default_transaction_isolation') AS level, current_setting('server_version') AS version",
    );
    t.block([
      '> SHOW default_transaction_isolation;  -- PostgreSQL',
      `< ${p?.level}   (server ${p?.version?.split(' ')[0]})`,
    ]);
    const maria = lab.engine('mariadb').admin;
    const [m] = await maria.raw<{ level: string; version: string }>(
      'SELECT @@GLOBAL.tx_isolation AS level, VERSION() AS version',
    );
    const newName = await maria
      .raw('SELECT @@transaction_isolation AS level')
      .then((r) => `< ${String((r[0] as { level?: string })?.level)}`)
      .catch((e: { errno?: number; message?: string }) => `< ERROR ${e.errno}: ${e.message}`);
    t.block([
      '> SELECT @@GLOBAL.tx_isolation;  -- MariaDB',
      `< ${m?.level}   (server ${m?.version?.split('-')[0]})`,
      '> SELECT @@transaction_isolation;  -- the MySQL 8 name',
      newName,
    ]);
    t.equal('PostgreSQL starts transactions at READ COMMITTED', p?.level, 'read committed');
    t.equal('MariaDB starts transactions at REPEATABLE READ', m?.level, 'REPEATABLE-READ');
  },
  { id: 'defaults' },
);

/** Variants print inside the step of the anomaly they vary. */
const VARIANTS: Record<string, string> = { P4: 'P4-incr', 'G-single': 'G-single-write' };

export const anomalySteps: Step<Lab>[] = ANOMALIES.filter(
  (a) => !Object.values(VARIANTS).includes(a.id),
).map((a) => anomalyStep(a, VARIANTS[a.id]));

const ANSI_LEVEL: Record<string, string> = {
  'READ UNCOMMITTED': 'all',
  'READ COMMITTED': 'RC+',
  'REPEATABLE READ': 'RR+',
  SERIALIZABLE: 'SER',
};

export const matrixStep: Step<Lab> = step(
  'the-measured-matrix',
  'The measured matrix, level × anomaly, next to what ANSI SQL forbids',
  async (t, lab) => {
    const table = new Map<string, Run>();
    for (const engine of ENGINES) {
      for (const a of ANOMALIES) {
        for (const r of await measureRow(lab, engine, a.id)) {
          table.set(`${engine}|${a.id}|${r.level}`, r);
        }
      }
    }
    const get = (e: EngineId, id: string, l: Level) => table.get(`${e}|${id}|${l}`) as Run;
    const seen = (e: EngineId, id: string, l: Level) => get(e, id, l).verdict.anomaly;
    for (const engine of ENGINES) {
      const extra =
        engine === 'mariadb' ? ` (innodb_snapshot_isolation=${lab.snapshotSetting})` : '';
      t.say(`${LABEL[engine]}${extra} — YES: the anomaly happened; no (how it was stopped):`);
      t.table(
        ['anomaly', ...LEVELS.map((l) => SHORT[l]), 'ANSI forbids at'],
        ANOMALIES.map((a) => [
          a.id,
          ...LEVELS.map((l) => cell(get(engine, a.id, l))),
          a.ansi ? `${ANSI_LEVEL[a.ansi.forbiddenFrom]} (${a.ansi.phenomenon})` : '—',
        ]),
      );
      const weaker: string[] = [];
      const stronger: string[] = [];
      for (const a of ANOMALIES) {
        for (const l of LEVELS) {
          const forbids = ansiForbids(a, l);
          if (forbids === true && seen(engine, a.id, l)) weaker.push(`${SHORT[l]} ${a.id}`);
          if (forbids === false && !seen(engine, a.id, l)) stronger.push(`${SHORT[l]} ${a.id}`);
        }
      }
      t.show('below ANSI', weaker.join(', ') || 'none');
      t.show('above ANSI', stronger.join(', ') || 'none');
    }
    const row = (e: EngineId, l: Level) => ANOMALIES.map((a) => seen(e, a.id, l));
    t.equal(
      'PostgreSQL READ UNCOMMITTED gives the same outcome as READ COMMITTED in every test',
      row('postgres', 'READ UNCOMMITTED'),
      row('postgres', 'READ COMMITTED'),
    );
    t.check(
      'MariaDB READ UNCOMMITTED, unlike PostgreSQL, lets dirty reads (G1a, G1b) through',
      seen('mariadb', 'G1a', 'READ UNCOMMITTED') && seen('mariadb', 'G1b', 'READ UNCOMMITTED'),
    );
    t.check(
      'PostgreSQL REPEATABLE READ prevents phantoms (PMP), which ANSI allows at that level',
      !seen('postgres', 'PMP', 'REPEATABLE READ'),
    );
    t.check(
      'REPEATABLE READ lets write skew (G2-item) through on both engines, which ANSI RR forbids',
      seen('postgres', 'G2-item', 'REPEATABLE READ') &&
        seen('mariadb', 'G2-item', 'REPEATABLE READ'),
    );
    const lostAtRR = seen('mariadb', 'P4', 'REPEATABLE READ');
    t.equal(
      `MariaDB REPEATABLE READ ${snapshotOn(lab) ? 'prevents' : 'allows'} lost update (P4) with innodb_snapshot_isolation=${lab.snapshotSetting}`,
      lostAtRR,
      !snapshotOn(lab),
    );
    for (const engine of ENGINES) {
      const clean = LEVELS.filter((l) => row(engine, l).every((x) => !x));
      t.equal(
        `${LABEL[engine]}: SERIALIZABLE is the only level with no anomaly in any test`,
        clean,
        ['SERIALIZABLE'],
      );
    }
  },
  { id: 'matrix' },
);
