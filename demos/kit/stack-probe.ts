// The versions of the parts on this machine that demos use, as each binary reports itself, for
// `npx tsx demos`. Each demo's own transcript names the servers it touched (`uses`).

import { execFile } from 'node:child_process';
import { baseStack, type Stack } from './run.ts';

const BINARIES: { part: string; argv: string[]; pattern: RegExp }[] = [
  { part: 'openssl (binary)', argv: ['openssl', 'version'], pattern: /OpenSSL (\S+)/ },
  { part: 'nginx', argv: ['nginx', '-v'], pattern: /nginx\/(\S+)/ },
  { part: 'haproxy', argv: ['haproxy', '-v'], pattern: /version (\S+)/ },
  { part: 'java', argv: ['java', '-version'], pattern: /version "([^"]+)"/ },
];

function versionOf(argv: string[], pattern: RegExp): Promise<string | undefined> {
  return new Promise((resolve) => {
    const [cmd, ...args] = argv as [string, ...string[]];
    execFile(cmd, args, { timeout: 3000 }, (_err, stdout, stderr) => {
      resolve(pattern.exec(`${stdout}${stderr}`)?.[1]);
    });
  });
}

export async function machineStack(): Promise<Stack> {
  const stack = baseStack();
  const found = await Promise.all(BINARIES.map((b) => versionOf(b.argv, b.pattern)));
  BINARIES.forEach((b, i) => {
    const v = found[i];
    if (v) stack[b.part] = v;
  });
  return stack;
}
