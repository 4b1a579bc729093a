// With a service down, a demo that needs it stops before step 1: exit 2 within 5 s, naming the
// service, the address it tried and the command that starts it; under vitest the global setup
// says the same in one line, and then each test of the demo skips (locally) or the run stops at
// that line (CI=true), without vitest's "No test files found". KAFKA_BROKERS points at a port
// that was just closed, so the shared cluster is not touched.

import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { plainEnv } from '../demos/kit/endpoints.ts';
import { labNames } from '../demos/kit/lab.ts';
import { freePort } from '../demos/kit/net.ts';
import { ROOT } from '../demos/kit/paths.ts';

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  /** Seconds until a line matching `until` appeared, if it did. */
  firstSeen?: number;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, until?: RegExp) {
  const started = performance.now();
  return new Promise<Ran>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...plainEnv(), ...env },
    });
    let stdout = '';
    let stderr = '';
    let firstSeen: number | undefined;
    const seen = () => {
      if (until && firstSeen === undefined && until.test(stdout + stderr)) {
        firstSeen = (performance.now() - started) / 1000;
      }
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      seen();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      seen();
    });
    child.once('error', reject);
    child.once('close', (code) =>
      resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000, firstSeen }),
    );
  });
}

async function deadBrokers(): Promise<{ port: number; brokers: string }> {
  const port = await freePort();
  return { port, brokers: [0, 0, 0].map(() => `127.0.0.1:${port}`).join(',') };
}

it('a demo that needs a down Kafka exits 2 in under 5 s, saying what and how', async () => {
  const { port, brokers } = await deadBrokers();
  const r = await run(
    `${ROOT}node_modules/.bin/tsx`,
    ['services/fixtures/needs-kafka.ts', '--no-color'],
    {
      KAFKA_BROKERS: brokers,
      CI: '',
    },
  );
  expect(r.code, r.stdout + r.stderr).toBe(2);
  expect(r.seconds).toBeLessThan(5);
  expect(r.stderr).toMatch(/kafka is not available/);
  expect(r.stderr).toContain(`127.0.0.1:${port}`);
  expect(r.stderr).toContain('ECONNREFUSED');
  expect(r.stderr).toContain('npm run services -- up kafka');
  expect(r.stdout).not.toContain('never reached');
});

describe('under vitest, Kafka at an unused port', () => {
  const vitest = `${ROOT}node_modules/.bin/vitest`;
  const line =
    /\[services\] kafka is not available at (\S+): (.*`npm run services -- (?:up|down) kafka`.*)/;

  it('locally: one line within 5 s naming the address, then every kafka test skips', async () => {
    const { brokers } = await deadBrokers();
    const r = await run(
      vitest,
      ['run', 'demos/kafka/kafka.test.ts'],
      { KAFKA_BROKERS: brokers, CI: '' },
      line,
    );
    const out = r.stdout + r.stderr;
    expect(r.code, out).toBe(0);
    expect(r.firstSeen, out).toBeLessThan(5);
    const m = line.exec(out);
    expect(m?.[1]).toBe(brokers);
    // Not "kafka-1…3 still run with another configuration": it says where the cluster is.
    expect(m?.[2]).not.toMatch(/another configuration/);
    expect(out.match(/\[services\] kafka is not available/g)).toHaveLength(1);
    // Only the labs' well-formed checks pass: they read the lab's files and need no broker.
    const counts = /Tests\s+(?:(\d+) passed \| )?(\d+) skipped/.exec(out);
    expect(Number(counts?.[1] ?? 0), out).toBe(labNames('kafka').length);
    expect(Number(counts?.[2]), out).toBeGreaterThan(0);
    expect(out).not.toMatch(/[1-9]\d* failed/);
  });

  it('under CI=true: that one line and exit 1, without "No test files found" or a stack', async () => {
    const { brokers } = await deadBrokers();
    const r = await run(vitest, ['run', 'demos/kafka/kafka.test.ts'], {
      KAFKA_BROKERS: brokers,
      CI: 'true',
    });
    const out = r.stdout + r.stderr;
    expect(r.code, out).toBe(1);
    expect(out).toMatch(line);
    expect(out).toContain('(required under CI=true)');
    expect(out).not.toContain('No test files found');
    expect(out).not.toMatch(/^\s+at |❯ /m);
  });
});
