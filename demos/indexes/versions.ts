// What the index demo measures differently on different PostgreSQL versions.

import { atLeast, type VersionFact } from '../kit/versions.ts';

export const skipScanFact: VersionFact = {
  id: 'skip-scan',
  fact: 'plan for WHERE b = 5 with only an index on (a, b) (a: 1000 values)',
  part: 'postgresql',
  cases: [
    {
      when: '≤ 17',
      applies: (v) => !atLeast(v, '18'),
      value: 'Seq Scan on t1m',
      seen: 'PostgreSQL 15.20 (Debian 12)',
    },
    {
      when: '≥ 18 (skip scan)',
      applies: (v) => atLeast(v, '18'),
      value: 'Bitmap Heap Scan on t1m → Bitmap Index Scan using t1m_ab',
      seen: 'not run by this demo: PostgreSQL 18.0 (shared reference measurement: Index Searches 1001); release notes 18 "Allow skip scans of btree indexes"',
    },
  ],
};
