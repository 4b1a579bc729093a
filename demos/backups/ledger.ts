// What seed 000 ("Backups and restore of PostgreSQL, the rman utility"; "level 0 vs level 1") and
// interview lore say about backups, each decided by a claim of a step or cited.

import type { LedgerEntry } from '../kit/ledger.ts';

export const ledger: LedgerEntry[] = [
  {
    id: 'rman',
    said: 'PostgreSQL backups and restore: the rman utility',
    source: 'seed 000:354',
    verdict: 'wrong',
    truth:
      "RMAN (Recovery Manager) is Oracle Database's backup tool. PostgreSQL ships pg_dump/pg_restore (logical) and pg_basebackup with WAL archiving (physical, point-in-time), and since 17 incremental base backups with pg_combinebackup and pg_verifybackup; pgBackRest and Barman are the common third-party managers.",
    by: { step: 'incremental', claim: "PostgreSQL's backup programs are its own" },
  },
  {
    id: 'level0-snapshot',
    said: 'Level 0 backup = full backup = a snapshot',
    source: 'seed 000:360',
    verdict: 'partly',
    truth:
      '"Level 0/1" is RMAN\'s vocabulary (pgBackRest says full, differential, incremental). In PostgreSQL the full base backup is what an incremental chain starts from (pg_combinebackup refuses a chain that does not), and it is a copy of the files taken while the server runs, made consistent by the WAL written during the copy, not an instant snapshot: started alone it restores the moment the backup ended.',
    by: { step: 'incremental', claim: 'a chain must start with a full backup' },
  },
  {
    id: 'level1-incremental',
    said: 'Level 1 = incremental backup',
    source: 'seed 000:361',
    verdict: 'depends on version',
    truth:
      'PostgreSQL 17 added pg_basebackup --incremental (only the blocks changed since an earlier backup; unchanged files become 12-byte stubs) and pg_combinebackup to merge a chain into a full data directory; before 17, incremental backups need pgBackRest or Barman, and continuous WAL archiving does the same job.',
    by: { step: 'incremental', claim: "the changed table's incremental file carries only" },
  },
  {
    id: 'incremental-from',
    said: 'What is the difference of an incremental backup taken against?',
    source: 'seed 000:362',
    verdict: 'holds',
    truth:
      "Against an earlier backup's backup_manifest (its start LSN, written into the new backup_label as INCREMENTAL FROM LSN): the server's WAL summaries (summarize_wal = on, else pg_basebackup is refused) say which blocks changed since, and only those are copied; pg_combinebackup refuses a chain with a link missing.",
    by: { step: 'incremental', claim: 'each incremental is taken against the previous backup' },
  },
  {
    id: 'untested-backup',
    said: 'The backup job succeeded, so we have a backup',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'Only a restore proves it: restore into a scratch server and compare what matters (row counts and a checksum of every row here). A dump restored into a server that lacks its roles fails on every OWNER TO.',
    by: { step: 'logical', claim: "pg_dump names the table's owner" },
  },
  {
    id: 'pg-dump-whole-server',
    said: 'pg_dump backs up the database server',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'pg_dump dumps one database; roles and tablespaces live outside any database and need pg_dumpall --globals-only. pg_basebackup copies the whole cluster: every database and the roles.',
    by: { step: 'physical', claim: 'a base backup is the whole cluster' },
  },
  {
    id: 'restore-any-moment',
    said: 'With a nightly backup we can restore to just before a mistake',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'A backup alone restores its own moment; getting to "just before the DROP" needs the WAL archived since that backup, replayed to a recovery target (recovery_target_time or _lsn).',
    by: { step: 'pitr', claim: 'recovered to just before the target' },
  },
];
