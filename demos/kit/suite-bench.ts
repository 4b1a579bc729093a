// `npm run bench -- suite`: the whole single-Node suite, warm (services already up), timed once.
// The target is 60 s on this machine's two cores; the suite itself never asserts a time. The
// time is reported whatever the outcome (a failed test under load still took that long), with
// the files that took longest (vitest's JSON report), so the next thing to make faster shows.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Bench, ms, timeIt } from './bench.ts';
import { ROOT } from './paths.ts';

/** How many of the slowest files are listed. */
const SLOWEST = 8;

interface JsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  testResults: { name: string; startTime: number; endTime: number }[];
}

/** `npx vitest run`, its JSON report written to `file`; resolves with the exit status. */
function vitestRun(file: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['vitest', 'run', '--reporter=json', `--outputFile=${file}`], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    child.once('error', reject);
    child.once('close', resolve);
  });
}

export const bench: Bench = {
  title: `the whole suite on Node ${process.versions.node}, warm (target ≤ 60 s)`,
  run: async (report) => {
    const dir = mkdtempSync(join(tmpdir(), 'wirenotes-suite-bench-'));
    const file = join(dir, 'report.json');
    try {
      let code: number | null = null;
      const took = await timeIt(async () => {
        code = await vitestRun(file);
      });
      report(`npx vitest run: ${ms(took)}, exit ${code} (${cpus().length} cores)`);
      const r = JSON.parse(readFileSync(file, 'utf8')) as JsonReport;
      report(
        `tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`,
      );
      const files = r.testResults
        .map((t) => ({ name: t.name.replace(ROOT, ''), took: t.endTime - t.startTime }))
        .sort((a, b) => b.took - a.took)
        .slice(0, SLOWEST);
      for (const f of files) report(`  ${ms(f.took).padStart(8)}  ${f.name}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
