// Who holds a port, as ss and lsof print it: the pids out of their lines, and the sockets in a
// TCP state. Parsing only; the steps run the tools.

import { createConnection } from 'node:net';
import { lines } from './tools.ts';

/** The pids in ss -p's `users:(("node",pid=123,fd=19))` column. */
export function ssPids(ssLine: string): number[] {
  return [...ssLine.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
}

/** The pids in lsof -F p output (`p123` lines). */
export function lsofPids(fieldOutput: string): number[] {
  return lines(fieldOutput)
    .filter((l) => /^p\d+$/.test(l))
    .map((l) => Number(l.slice(1)));
}

/** The lines of `ss -Htan` whose state is `state` (TIME-WAIT, ESTAB…) on local or peer port. */
export function inState(ssOutput: string, state: string, port: number): string[] {
  return lines(ssOutput)
    .map((l) => l.trim())
    .filter((l) => l.startsWith(state) && new RegExp(`:${port}\\b`).test(l));
}

/** Connects to 127.0.0.1:port, reads until the server closes, resolves with what it sent. */
export function fetchLine(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const c = createConnection({ host: '127.0.0.1', port });
    c.on('data', (d) => {
      got += d.toString();
    });
    c.once('error', reject);
    c.once('close', () => resolve(got));
  });
}
