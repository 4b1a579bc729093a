// The sweep of dead runs' leftovers: it stops a process still running in a dead run's directory,
// never a process whose command line does not name that directory, and never a live run's files.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUNS_DIR, RunDir, sweepStaleRuns } from './instances.ts';

/** A pid that no process has now: one that ran and exited. */
function deadPid(): number {
  return spawnSync('true').pid as number;
}

describe('sweepStaleRuns', () => {
  it("stops a dead run's balancer and removes its directory, sparing unrelated pids", async () => {
    const runDir = join(
      RUNS_DIR,
      `wn_balancing_${Math.floor(Date.now() / 1000)}_${deadPid()}_beef`,
    );
    const instance = join(runDir, '1-orphan');
    mkdirSync(instance, { recursive: true });
    // Stands for an nginx whose parent was killed: its command line names the run's directory.
    const orphan = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30_000)', instance], {
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => orphan.once('exit', (_, signal) => resolve(signal)));
    writeFileSync(join(instance, 'nginx.pid'), `${orphan.pid}\n`);
    // A pid file naming this test's own process: its command line does not name the directory.
    writeFileSync(join(instance, 'haproxy.pid'), `${process.pid}\n`);
    const live = new RunDir();
    try {
      const swept = sweepStaleRuns();
      expect(swept.dirs).toBeGreaterThanOrEqual(1);
      expect(await exited).toBe('SIGTERM');
      expect(existsSync(runDir)).toBe(false);
      expect(existsSync(live.dir)).toBe(true);
    } finally {
      orphan.kill('SIGKILL');
      await live.close();
    }
    expect(existsSync(live.dir)).toBe(false);
  });
});
