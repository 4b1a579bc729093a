// A vitest reporter that ends the run with the plain line `tests: N passed, N failed, N skipped`,
// which CI systems read without knowing vitest's own format. It never says 0 failed for a run
// that failed: a file that fails outside its tests (its import, a beforeAll/afterAll hook) counts
// as one failure, so does each error vitest caught outside any test, and a run vitest itself
// calls failed counts at least one.

import type { SerializedError } from 'vitest';
import type { Reporter, TestModule, TestRunEndReason } from 'vitest/node';

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

/** The counts of one run, as the closing line states them. */
export function countRun(
  modules: ReadonlyArray<TestModule>,
  unhandledErrors: ReadonlyArray<SerializedError>,
  reason: TestRunEndReason,
): Counts {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const m of modules) {
    let failedTests = 0;
    for (const test of m.children.allTests()) {
      const state = test.result().state;
      if (state === 'passed') counts.passed++;
      else if (state === 'failed') failedTests++;
      else counts.skipped++;
    }
    counts.failed += failedTests;
    // The file failed and no test of it says so: its import or a hook outside the tests failed.
    if (m.state() === 'failed' && failedTests === 0) counts.failed++;
  }
  counts.failed += unhandledErrors.length;
  if (reason === 'failed' && counts.failed === 0) counts.failed = 1;
  return counts;
}

export function closingLine(c: Counts): string {
  const skipped = c.skipped ? `, ${c.skipped} skipped` : '';
  return `tests: ${c.passed} passed, ${c.failed} failed${skipped}`;
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    modules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: TestRunEndReason,
  ): void {
    process.stdout.write(`\n${closingLine(countRun(modules, unhandledErrors, reason))}\n`);
  }
}
