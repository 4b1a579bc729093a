// What people say about isolation levels: seed 000's "isolation levels" section (lines 264-276,
// translated from Russian), seeds 001 and 002 have no isolation lines, and interview lore. Each
// entry is decided by a claim a step makes on this machine's servers.

import type { LedgerEntry } from '../kit/ledger.ts';

export const ledger: LedgerEntry[] = [
  {
    id: 'ru-lowest',
    said: 'READ UNCOMMITTED is the lowest isolation level',
    source: 'seed 000:267',
    verdict: 'holds',
    truth:
      'SQL-92 orders the four levels by the phenomena they forbid, and READ UNCOMMITTED forbids none of P1-P3.',
    by: {
      cited: 'ISO/IEC 9075:1992 §4.28, Table 9',
      why: 'a definition of the standard, not a behaviour a server can show',
    },
  },
  {
    id: 'ru-dirty-read',
    said: 'At READ UNCOMMITTED a transaction can read inconsistent, uncommitted data',
    source: 'seed 000:267',
    verdict: 'partly',
    truth:
      "MariaDB (and MySQL) READ UNCOMMITTED returns another transaction's uncommitted value (G1a); PostgreSQL runs READ UNCOMMITTED as READ COMMITTED and never does.",
    by: { step: 'g1a', claim: 'PostgreSQL 15 READ UNCOMMITTED: G1a does not occur' },
  },
  {
    id: 'ru-write-lock',
    said: 'At READ UNCOMMITTED a write is locked until the end of the transaction',
    source: 'seed 000:267',
    verdict: 'holds',
    truth:
      "Even at READ UNCOMMITTED both engines hold an UPDATE's row lock until COMMIT or ROLLBACK, so a second writer of the row waits (no dirty write, G0).",
    by: { step: 'g0', claim: 'MariaDB 10.11 READ UNCOMMITTED: G0 does not occur: a session waits' },
  },
  {
    id: 'rc-default',
    said: 'Most industrial DBMSs use READ COMMITTED by default',
    source: 'seed 000:270',
    verdict: 'partly',
    truth:
      'PostgreSQL defaults to READ COMMITTED (as Oracle and SQL Server do, per their documentation); MySQL and MariaDB default to REPEATABLE READ.',
    by: { step: 'mistake-rc-default', claim: 'MariaDB 10.11 (like MySQL/InnoDB) does not default' },
  },
  {
    id: 'rc-no-dirty-read',
    said: 'READ COMMITTED protects against dirty reads',
    source: 'seed 000:270',
    verdict: 'holds',
    truth:
      'At READ COMMITTED neither engine returns a value whose writer has not committed (G1a, G1b).',
    by: { step: 'g1a', claim: 'MariaDB 10.11 READ COMMITTED: G1a does not occur' },
  },
  {
    id: 'rc-non-repeatable',
    said: 'At READ COMMITTED another transaction can commit in the middle, so the first one then works with different data: a non-repeatable read',
    source: 'seed 000:270',
    verdict: 'holds',
    truth:
      "Each READ COMMITTED statement reads the latest committed data, so a transaction can see half of another's transfer (read skew, G-single).",
    by: { step: 'g-single', claim: 'PostgreSQL 15 READ COMMITTED: G-single occurs' },
  },
  {
    id: 'rr-no-change-seen',
    said: 'At REPEATABLE READ a reading transaction does not see changes to the data it has read',
    source: 'seed 000:273',
    verdict: 'holds',
    truth:
      'Both engines answer REPEATABLE READ plain reads from a snapshot taken at the first read, so later commits stay invisible to them.',
    by: {
      step: 'mistake-rr-locks',
      claim: 'MariaDB 10.11 REPEATABLE READ: A keeps reading its snapshot',
    },
  },
  {
    id: 'rr-blocks-writers',
    said: 'At REPEATABLE READ no other transaction can change the data the current one reads until it ends',
    source: 'seed 000:273',
    verdict: 'wrong',
    truth:
      'REPEATABLE READ takes no lock on what it reads: another transaction updates and commits those rows without waiting; the reader just keeps its old snapshot.',
    by: {
      step: 'mistake-rr-locks',
      claim: 'PostgreSQL 15 REPEATABLE READ: B changes and commits a row A has read',
    },
  },
  {
    id: 'ser-serial',
    said: 'At SERIALIZABLE the result of concurrent transactions is as if they had run one after another',
    source: 'seed 000:276',
    verdict: 'holds',
    truth:
      'SERIALIZABLE is the only level at which no test shows an anomaly, on both engines; they get there by opposite means (aborts vs locks).',
    by: { step: 'matrix', claim: 'PostgreSQL 15: SERIALIZABLE is the only level with no anomaly' },
  },
  {
    id: 'ser-only-phantoms',
    said: 'Only at SERIALIZABLE are transactions safe from phantom reads',
    source: 'seed 000:276',
    verdict: 'wrong',
    truth:
      'PostgreSQL REPEATABLE READ keeps phantoms out (a snapshot), and so does MariaDB REPEATABLE READ for plain predicate reads.',
    by: {
      step: 'mistake-phantoms',
      claim: 'PostgreSQL 15 REPEATABLE READ: PMP phantom (read predicate) does not occur',
    },
  },
  {
    id: 'rr-phantoms',
    said: 'REPEATABLE READ prevents phantoms',
    source: 'lore',
    verdict: 'partly',
    truth:
      'True of plain predicate reads on both engines, but MariaDB REPEATABLE READ with innodb_snapshot_isolation=OFF lets a DELETE act on rows its snapshot does not show (PMP-write).',
    by: { step: 'mistake-phantoms', claim: 'MariaDB 10.11 REPEATABLE READ: PMP-write' },
  },
  {
    id: 'ru-dirty-reads-everywhere',
    said: 'READ UNCOMMITTED gives you dirty reads',
    source: 'lore',
    verdict: 'partly',
    truth: 'Only on MySQL/MariaDB: PostgreSQL accepts the name and runs READ COMMITTED.',
    by: { step: 'g1a', claim: 'MariaDB 10.11 READ UNCOMMITTED: G1a occurs' },
  },
  {
    id: 'rr-same-everywhere',
    said: "MySQL's REPEATABLE READ is the same level as PostgreSQL's",
    source: 'lore',
    verdict: 'wrong',
    truth:
      'PostgreSQL REPEATABLE READ is snapshot isolation and refuses stale writes (40001); MariaDB with snapshot isolation OFF lets them through (lost update, PMP-write, G-single-write).',
    by: {
      step: 'matrix',
      claim: 'REPEATABLE READ is not one level: PostgreSQL 15 and MariaDB 10.11',
    },
  },
  {
    id: 'rr-lost-update',
    said: 'REPEATABLE READ prevents lost updates',
    source: 'lore',
    verdict: 'depends on version',
    truth:
      'PostgreSQL refuses the second writer (40001); MariaDB 10.11 and 11.4 by default let the update be lost, and from 11.6.2 (innodb_snapshot_isolation ON) refuse it with 1020.',
    by: { step: 'p4', claim: 'MariaDB 10.11 REPEATABLE READ: P4 occurs' },
  },
  {
    id: 'ser-means-locks',
    said: 'SERIALIZABLE means locking everything you read',
    source: 'lore',
    verdict: 'partly',
    truth:
      'MariaDB SERIALIZABLE turns plain reads into shared locks, so writers wait and deadlock (1213); PostgreSQL SERIALIZABLE takes no blocking locks and aborts a transaction instead.',
    by: {
      step: 'refusals',
      claim: "MariaDB 10.11 SERIALIZABLE makes A's UPDATE wait: B's plain SELECT took",
    },
  },
  {
    id: 'ser-error-on-statement',
    said: 'A serialization failure comes from the statement that conflicts',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'PostgreSQL SERIALIZABLE can let every statement run and refuse the COMMIT (40001, read/write dependencies), so the whole transaction must be retried.',
    by: {
      step: 'refusals',
      claim: 'PostgreSQL 15 SERIALIZABLE runs all of G2-item and refuses the second COMMIT',
    },
  },
  {
    id: 'retry-40001-only',
    said: 'Retrying on SQLSTATE 40001 covers every refused transaction',
    source: 'lore',
    verdict: 'wrong',
    truth:
      "A PostgreSQL deadlock is 40P01, and MariaDB's snapshot-isolation refusal 1020 has SQLSTATE HY000; retry on those too.",
    by: {
      step: 'retry',
      claim: 'PostgreSQL 15 READ COMMITTED: the deadlock victim is refused with 40P01',
    },
  },
  {
    id: 'timeout-rolls-back',
    said: 'A lock wait timeout rolls the transaction back',
    source: 'lore',
    verdict: 'partly',
    truth:
      "MariaDB's 1205 undoes only the statement (innodb_rollback_on_timeout is OFF by default) and the transaction stays open; PostgreSQL's lock_timeout (55P03) aborts the whole transaction.",
    by: { step: 'lock-timeout', claim: 'MariaDB 10.11: 1205 rolls back only the statement' },
  },
  {
    id: 'for-update-fix',
    said: 'SELECT … FOR UPDATE on the rows you decide on prevents lost updates and write skew',
    source: 'lore',
    verdict: 'holds',
    truth:
      'A locking read makes the second transaction wait for the first and then read its write (or, at PostgreSQL REPEATABLE READ, be refused with 40001).',
    by: {
      step: 'for-update',
      claim: 'MariaDB 10.11 REPEATABLE READ: with FOR UPDATE, P4 lost update does not occur',
    },
  },
  {
    id: 'tx-isolation',
    said: 'SELECT @@tx_isolation shows the isolation level',
    source: 'lore',
    verdict: 'depends on version',
    truth:
      'MariaDB 10.11 knows only @@tx_isolation; 11.4 also has @@transaction_isolation and warns when @@tx_isolation is set (1287, deprecated); MySQL 8.0 removed it.',
    by: { step: 'defaults', claim: 'SELECT @@transaction_isolation on MariaDB 10.11' },
  },
];
