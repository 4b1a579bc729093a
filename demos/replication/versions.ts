import { atLeast, type VersionFact } from '../kit/versions.ts';

/**
 * PostgreSQL 19 builds the read-your-writes wait in: `WAIT FOR LSN` on a standby blocks until
 * that LSN is replayed, or a timeout (docs/19/sql-wait-for.html). Before 19 it is no command.
 */
export const WAIT_FOR_LSN: VersionFact = {
  id: 'pg-wait-for-lsn',
  fact: "`WAIT FOR LSN '<token>' WITH (TIMEOUT …)` on a standby whose replay is paused",
  part: 'postgresql',
  cases: [
    {
      when: 'PostgreSQL < 19',
      applies: (v) => !atLeast(v, '19'),
      value: 'syntax error: there is no WAIT FOR',
      seen: 'PostgreSQL 15.20',
    },
    {
      when: 'PostgreSQL ≥ 19',
      applies: (v) => atLeast(v, '19'),
      value: 'times out: the LSN is not replayed',
      seen: 'not run here (PostgreSQL 19 docs, WAIT FOR)',
    },
  ],
};

export const versions: VersionFact[] = [WAIT_FOR_LSN];
