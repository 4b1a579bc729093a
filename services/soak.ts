// `npm run soak [-- --runs N] [-- vitest filters…]`: the whole suite N times in a row (default 30),
// one line per run (passed, failed, skipped, seconds, the first failed tests and the file holding
// the run's output), then the total.
// Not part of CI: it is how the suite's stability is measured (30/30 green is the bar). Exit 0
// when every run was green, 1 otherwise, 2 for bad usage.

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseOptions, positiveInt, UsageError } from '../demos/kit/args.ts';
import { plainEnv } from '../demos/kit/endpoints.ts';
import { ROOT } from '../demos/kit/paths.ts';

const HELP = [
  'Usage: npm run soak -- [--runs N] [filter…]',
  'Runs `vitest run [filter…]` N times (default 30) and prints passed/failed per run and a total.',
  'Exit status: 0 every run green, 1 a run failed, 2 bad usage.',
];

export interface RunResult {
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
  /** Names of the failed tests, as vitest's FAIL lines give them. */
  failures: string[];
}

/** The counts from the kit's summary reporter line, and the FAIL lines, of one run's output. */
export function parseRun(output: string, seconds: number, exitCode: number | null): RunResult {
  const m = /^tests: (\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/m.exec(output);
  const failures = [
    ...new Set([...output.matchAll(/^\s*FAIL\s+(.+?)\s*$/gm)].map((f) => f[1] as string)),
  ];
  const failed = m ? Number(m[2]) : 0;
  return {
    passed: m ? Number(m[1]) : 0,
    // No summary line, or a non-zero exit with none failed: the run itself failed.
    failed: !m || (exitCode !== 0 && failed === 0) ? Math.max(failed, 1) : failed,
    skipped: m ? Number(m[3] ?? 0) : 0,
    seconds,
    failures,
  };
}

/** Runs the suite once; its whole output goes to `log`. */
function runSuite(filters: string[], log: string): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(`${ROOT}node_modules/.bin/vitest`, ['run', ...filters], {
      cwd: ROOT,
      env: plainEnv(),
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      writeFileSync(log, out);
      resolve(parseRun(out, (performance.now() - started) / 1000, code));
    });
  });
}

export async function soak(argv: string[], write: (line: string) => void): Promise<number> {
  const { values, positionals } = parseOptions(argv, {
    runs: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    for (const l of HELP) write(l);
    return 0;
  }
  const runs = positiveInt(values.runs, '--runs', 30);
  let green = 0;
  for (let i = 1; i <= runs; i++) {
    const log = join(tmpdir(), `wirenotes-soak-${process.pid}-${i}.log`);
    const r = await runSuite(positionals, log);
    if (r.failed === 0) green++;
    const more = r.failures.length > 3 ? ` and ${r.failures.length - 3} more` : '';
    const failures = r.failures.length
      ? `  FAIL ${r.failures.slice(0, 3).join('; ')}${more} (output: ${log})`
      : '';
    write(
      `run ${i}/${runs}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped, ${r.seconds.toFixed(1)} s${failures}`,
    );
  }
  write(`soak: ${green}/${runs} runs green`);
  return green === runs ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  soak(process.argv.slice(2), (l) => process.stdout.write(`${l}\n`)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`soak: ${err instanceof UsageError ? err.message : String(err)}\n`);
      process.exitCode = err instanceof UsageError ? 2 : 1;
    },
  );
}
