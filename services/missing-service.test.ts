// With a service down, a demo that needs it stops before step 1: exit 2 within 5 s, naming the
// service, the address it tried and the command that starts it. KAFKA_BROKERS points at a port
// that was just closed, so the shared cluster is not touched.

import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { freePort } from '../demos/kit/net.ts';
import { ROOT } from '../demos/kit/paths.ts';

it('a demo that needs a down Kafka exits 2 in under 5 s, saying what and how', async () => {
  const port = await freePort();
  const brokers = [0, 0, 0].map(() => `127.0.0.1:${port}`).join(',');
  const started = performance.now();
  const { code, stdout, stderr } = await new Promise<{
    code: number | null;
    stdout: string;
    stderr: string;
  }>((resolve, reject) => {
    const child = spawn(
      `${ROOT}node_modules/.bin/tsx`,
      ['services/fixtures/needs-kafka.ts', '--no-color'],
      { cwd: ROOT, env: { ...process.env, KAFKA_BROKERS: brokers, CI: '' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('close', (exit) => resolve({ code: exit, stdout, stderr }));
  });
  const seconds = (performance.now() - started) / 1000;
  expect(code, stdout + stderr).toBe(2);
  expect(seconds).toBeLessThan(5);
  expect(stderr).toMatch(/kafka is not available/);
  expect(stderr).toContain(`127.0.0.1:${port}`);
  expect(stderr).toContain('ECONNREFUSED');
  expect(stderr).toContain('npm run services -- up kafka');
  expect(stdout).not.toContain('never reached');
});
