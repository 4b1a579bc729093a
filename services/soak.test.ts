// The soak script's reading of one vitest run: counts from the kit's summary line, failed test
// names from the FAIL lines, and a run that ended without a summary counted as failed.

import { describe, expect, it } from 'vitest';
import { parseRun } from './soak.ts';

describe('npm run soak', () => {
  it('reads passed, failed, skipped and the failed tests', () => {
    const out = [
      ' FAIL  demos/kafka/kafka.test.ts > kafka: x > failover: a broker stops',
      ' FAIL  demos/kafka/kafka.test.ts > kafka: x > failover: a broker stops',
      '',
      'tests: 290 passed, 1 failed, 5 skipped',
    ].join('\n');
    expect(parseRun(out, 61.5, 1)).toEqual({
      passed: 290,
      failed: 1,
      skipped: 5,
      seconds: 61.5,
      failures: ['demos/kafka/kafka.test.ts > kafka: x > failover: a broker stops'],
    });
  });

  it('counts a run that died before its summary as failed', () => {
    expect(parseRun('[services] kafka is not available …', 2, 1).failed).toBe(1);
    expect(parseRun('tests: 3 passed, 0 failed', 2, 1).failed).toBe(1);
    expect(parseRun('tests: 3 passed, 0 failed', 2, 0).failed).toBe(0);
  });
});
