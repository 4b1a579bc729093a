// What the pooling demo measures differently on different PgBouncer versions.

import { atLeast, type VersionFact } from '../kit/versions.ts';

export const preparedFact: VersionFact = {
  id: 'prepared-statements',
  fact: 'protocol-level named prepared statement, executed again in transaction mode',
  part: 'pgbouncer',
  cases: [
    {
      when: '< 1.21',
      applies: (v) => !atLeast(v, '1.21'),
      value: '26000 prepared statement "s1" does not exist',
      seen: 'PgBouncer 1.18.0 (Debian 12)',
    },
    {
      when: '≥ 1.21 with max_prepared_statements > 0 (the default from 1.24)',
      applies: (v) => atLeast(v, '1.21'),
      value: 'runs: PgBouncer tracks s1 and prepares it on whichever server connection it uses',
      seen: 'not run here: PgBouncer 1.21.0 changelog (pgbouncer#845), 1.24.0 (pgbouncer#1144)',
    },
  ],
};

export const reservedMessageFact: VersionFact = {
  id: 'reserved-message',
  fact: 'SQLSTATE 53300 message for an ordinary role when only reserved slots are left',
  part: 'postgresql',
  cases: [
    {
      when: '≤ 15',
      applies: (v) => !atLeast(v, '16'),
      value: 'remaining connection slots are reserved for non-replication superuser connections',
      seen: 'PostgreSQL 15.20 (Debian 12)',
    },
    {
      when: '≥ 16',
      applies: (v) => atLeast(v, '16'),
      value: 'remaining connection slots are reserved for roles with the SUPERUSER attribute',
      seen: 'not run by this demo: src/backend/utils/init/postinit.c (16+, "%s" = SUPERUSER), the string in the PostgreSQL 17.6 binary',
    },
  ],
};
