// Steps: the seed's claims about isolation levels, each checked against the measurement.

import { step } from '../kit/define.ts';
import { test } from './anomalies.ts';
import type { Env } from './env.ts';
import { find } from './runner.ts';
import { describeOutcome } from './show.ts';
import { mariadbLevel } from './steps-levels.ts';
import { first } from './steps-refusals.ts';

export const rrLocksStep = step<Env>(
  {
    id: 'mistake-rr-locks',
    section: 'common-mistakes',
    title: 'Mistake: "at REPEATABLE READ nobody can change what this transaction read"',
  },
  async (t, env) => {
    for (const server of env.servers) {
      const run = await env.measure(server, test('G-single'), 'REPEATABLE READ');
      const upd = find(run, 'B', 'UPDATE');
      const { label } = server.engine;
      t.show(
        label,
        `A read row 1; B: ${upd?.sql} → ${upd?.outcome ? describeOutcome(upd.outcome) : '?'}` +
          `${upd?.blocked ? ' (waited)' : ' (no wait)'}, COMMIT ${run.committed.B ? 'ok' : 'failed'}`,
      );
      t.check(
        `${label} REPEATABLE READ: B changes and commits a row A has read, without waiting`,
        upd?.blocked === false && upd.outcome?.kind === 'done' && run.committed.B === true,
      );
      t.check(
        `${label} REPEATABLE READ: A keeps reading its snapshot (${run.verdict.evidence})`,
        !run.verdict.anomaly,
      );
    }
  },
);

export const phantomsStep = step<Env>(
  {
    id: 'mistake-phantoms',
    section: 'common-mistakes',
    title: 'Mistake: "only SERIALIZABLE prevents phantoms"',
  },
  async (t, env) => {
    const pg = first(env, 'postgres');
    const maria = first(env, 'mariadb');
    const pgRun = await env.measure(pg, test('PMP'), 'REPEATABLE READ');
    const mariaRun = await env.measure(maria, test('PMP'), 'REPEATABLE READ');
    const mariaWrite = await env.measure(maria, test('PMP-write'), 'REPEATABLE READ');
    const [P, M] = [pg.engine.label, maria.engine.label];
    t.show(P, `RR, PMP: ${pgRun.verdict.evidence}`);
    t.show(M, `RR, PMP: ${mariaRun.verdict.evidence}`);
    t.check(
      `${P} REPEATABLE READ: PMP phantom (read predicate) does not occur`,
      !pgRun.verdict.anomaly,
    );
    t.check(
      `${M} REPEATABLE READ: PMP phantom (read predicate) does not occur either`,
      !mariaRun.verdict.anomaly,
    );
    t.show(M, `RR, PMP-write: ${mariaWrite.verdict.evidence}`);
    const on = maria.snapshot === 'ON';
    t.equal(
      `${M} REPEATABLE READ: PMP-write ${on ? 'does not occur' : 'still occurs'} (innodb_snapshot_isolation=${maria.snapshot ?? 'absent'})`,
      mariaWrite.verdict.anomaly,
      !on,
    );
  },
);

export const rcDefaultStep = step<Env>(
  {
    id: 'mistake-rc-default',
    section: 'common-mistakes',
    title: 'Mistake: "READ COMMITTED is the default of most databases"',
  },
  async (t, env) => {
    const pg = first(env, 'postgres');
    const maria = first(env, 'mariadb');
    const [p] = await pg.engine.admin.raw<{ default_transaction_isolation: string }>(
      'SHOW default_transaction_isolation',
    );
    const m = await mariadbLevel(maria);
    t.show(pg.engine.label, p?.default_transaction_isolation);
    t.show(maria.engine.label, `${m.level} (${m.name})`);
    t.check(
      `${maria.engine.label} (like MySQL/InnoDB) does not default to READ COMMITTED`,
      m.level !== 'READ-COMMITTED',
    );
    t.equal(
      `${pg.engine.label} does default to READ COMMITTED`,
      p?.default_transaction_isolation,
      'read committed',
    );
  },
);
