// Steps: the seed's claims about isolation levels, each checked against the measurement.

import { type Step, step } from '../kit/define.ts';
import type { Lab } from './lab.ts';
import { find } from './runner.ts';
import { ENGINES } from './steps-matrix.ts';
import { describeOutcome } from './timeline.ts';

export const mistakeSteps: Step<Lab>[] = [
  step(
    'common-mistakes',
    'Mistake: "at REPEATABLE READ nobody can change what this transaction read"',
    async (t, lab) => {
      for (const engine of ENGINES) {
        const run = await lab.measure(engine, 'G-single', 'REPEATABLE READ');
        const upd = find(run, 'B', 'UPDATE');
        t.show(
          run.engine,
          `A read row 1; B: ${upd?.sql} → ${upd?.outcome ? describeOutcome(upd.outcome) : '?'}` +
            `${upd?.blocked ? ' (waited)' : ' (no wait)'}, COMMIT ${run.committed.B ? 'ok' : 'failed'}`,
        );
        t.check(
          `${run.engine} REPEATABLE READ: B changes and commits a row A has read, without waiting`,
          upd?.blocked === false && upd.outcome?.kind === 'done' && run.committed.B === true,
        );
        t.check(
          `${run.engine} REPEATABLE READ: A keeps reading its snapshot (${run.verdict.evidence})`,
          !run.verdict.anomaly,
        );
      }
    },
    { id: 'mistake-rr-locks' },
  ),
  step(
    'common-mistakes',
    'Mistake: "only SERIALIZABLE prevents phantoms"',
    async (t, lab) => {
      const pg = await lab.measure('postgres', 'PMP', 'REPEATABLE READ');
      const maria = await lab.measure('mariadb', 'PMP', 'REPEATABLE READ');
      const mariaWrite = await lab.measure('mariadb', 'PMP-write', 'REPEATABLE READ');
      t.show('PostgreSQL', `RR, PMP: ${pg.verdict.evidence}`);
      t.show('MariaDB', `RR, PMP: ${maria.verdict.evidence}`);
      t.check(
        'PostgreSQL REPEATABLE READ: PMP phantom (read predicate) does not occur',
        !pg.verdict.anomaly,
      );
      t.check(
        'MariaDB REPEATABLE READ: PMP phantom (read predicate) does not occur either',
        !maria.verdict.anomaly,
      );
      t.show('MariaDB', `RR, PMP-write: ${mariaWrite.verdict.evidence}`);
      t.equal(
        `MariaDB REPEATABLE READ: PMP-write ${lab.snapshotSetting === 'ON' ? 'does not occur' : 'still occurs'} (snapshot isolation ${lab.snapshotSetting ?? 'absent'})`,
        mariaWrite.verdict.anomaly,
        lab.snapshotSetting !== 'ON',
      );
    },
    { id: 'mistake-phantoms' },
  ),
  step(
    'common-mistakes',
    'Mistake: "READ COMMITTED is the default of most databases"',
    async (t, lab) => {
      const [m] = await lab
        .engine('mariadb')
        .admin.raw<{ level: string }>('SELECT @@GLOBAL.tx_isolation AS level');
      const [p] = await lab
        .engine('postgres')
        .admin.raw<{ level: string }>('SHOW default_transaction_isolation');
      const pgLevel = (p as unknown as { default_transaction_isolation: string })
        .default_transaction_isolation;
      t.show('PostgreSQL', pgLevel);
      t.show('MariaDB', m?.level);
      t.check(
        'MariaDB (like MySQL/InnoDB) does not default to READ COMMITTED',
        m?.level !== 'READ-COMMITTED',
      );
      t.equal('PostgreSQL does default to READ COMMITTED', pgLevel, 'read committed');
    },
    { id: 'mistake-rc-default' },
  ),
];
