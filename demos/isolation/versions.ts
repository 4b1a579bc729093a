// What differs between the server versions the demo runs on, one record per fact. The `defaults`
// step reads each from every server that answered and asserts the value recorded for its version.

import { atLeast, type VersionFact } from '../kit/versions.ts';

const series = (prefix: string) => (v: string) => v.startsWith(`${prefix}.`);

export const TRANSACTION_ISOLATION: VersionFact = {
  id: 'transaction-isolation',
  fact: 'SELECT @@transaction_isolation',
  part: 'mariadb',
  cases: [
    {
      when: 'MariaDB 10.11',
      applies: series('10.11'),
      value: 'ERROR 1193',
      seen: 'MariaDB 10.11.19',
    },
    {
      when: 'MariaDB 11.4',
      applies: series('11.4'),
      value: 'REPEATABLE-READ',
      seen: 'MariaDB 11.4.5',
    },
  ],
};

export const TX_ISOLATION: VersionFact = {
  id: 'tx-isolation',
  fact: 'SET SESSION tx_isolation (a SELECT of it warns on neither)',
  part: 'mariadb',
  cases: [
    {
      when: 'MariaDB 10.11',
      applies: series('10.11'),
      value: 'no warning',
      seen: 'MariaDB 10.11.19',
    },
    {
      when: 'MariaDB 11.4',
      applies: series('11.4'),
      value: 'warning 1287 (deprecated)',
      seen: 'MariaDB 11.4.5',
    },
  ],
};

/**
 * MariaDB SERIALIZABLE in PMP-write and G-single-write: one session holds shared locks from its
 * reads, the other waits to write, and then the holder writes too.
 */
export const SER_HOLDER_WRITES: VersionFact = {
  id: 'ser-holder-writes',
  fact: 'MariaDB SERIALIZABLE, PMP-write and G-single-write: the read-lock holder then writes',
  part: 'mariadb',
  cases: [
    {
      when: 'MariaDB 10.11',
      applies: series('10.11'),
      value: '1213',
      seen: 'MariaDB 10.11.19 (1213: a deadlock, one rolled back)',
    },
    {
      when: 'MariaDB 11.4',
      applies: series('11.4'),
      value: 'lock',
      seen: 'MariaDB 11.4.5 (lock: the holder commits, then the waiter)',
    },
  ],
};

export const SNAPSHOT_DEFAULT: VersionFact = {
  id: 'snapshot-default',
  fact: 'innodb_snapshot_isolation by default',
  part: 'mariadb',
  cases: [
    { when: 'MariaDB 10.11', applies: series('10.11'), value: 'OFF', seen: 'MariaDB 10.11.19' },
    { when: 'MariaDB 11.4', applies: series('11.4'), value: 'OFF', seen: 'MariaDB 11.4.5' },
    {
      when: 'MariaDB ≥ 11.6.2',
      applies: (v) => atLeast(v, '11.6.2'),
      value: 'ON',
      seen: 'not run here (MDEV-35124; e.g. MariaDB 11.8 LTS)',
    },
  ],
};

export const TRANSACTION_TIMEOUT: VersionFact = {
  id: 'transaction-timeout',
  fact: 'SHOW transaction_timeout',
  part: 'postgres',
  cases: [
    {
      when: 'PostgreSQL 15',
      applies: series('15'),
      value: 'ERROR 42704',
      seen: 'PostgreSQL 15.20',
    },
    { when: 'PostgreSQL 17', applies: series('17'), value: '0', seen: 'PostgreSQL 17.6' },
  ],
};

export const versions: VersionFact[] = [
  TRANSACTION_ISOLATION,
  TX_ISOLATION,
  SNAPSHOT_DEFAULT,
  SER_HOLDER_WRITES,
  TRANSACTION_TIMEOUT,
];
