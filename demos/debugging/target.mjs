// The processes the debugging demo looks at, one mode per argument. Each prints one line when it
// is ready and then does its one thing until it is killed.
//   reader          blocks in read(0) until stdin has a line, prints it, exits
//   spin N          N worker threads in a busy loop (N runnable tasks)
//   burn            the main thread in a busy loop (a runaway process)
//   listen [PORT]   a TCP server on 127.0.0.1 that answers "hi" and closes first
//   hold FILE       keeps FILE open (so it survives being deleted)
//   fds             opens /dev/null until open() fails, prints the last fd and the error

import { openSync, readSync } from 'node:fs';
import { createServer } from 'node:net';
import { Worker } from 'node:worker_threads';

const [mode, arg] = process.argv.slice(2);
const say = (line) => process.stdout.write(`${line}\n`);
const forever = () => setInterval(() => {}, 1 << 30);

if (mode === 'reader') {
  say(`reading ${process.pid}`);
  const buf = Buffer.alloc(100);
  const n = readSync(0, buf);
  say(`got ${buf.subarray(0, n).toString().trim()}`);
} else if (mode === 'spin') {
  const n = Number(arg);
  // "spinning" only once every worker is in its loop: a worker boots an isolate of its own first,
  // and under load that took longer than the step's sampling (it counted 1 of 2 in state R).
  let up = 0;
  const loop = "require('node:worker_threads').parentPort.postMessage('up'); for (;;) {}";
  for (let i = 0; i < n; i++) {
    new Worker(loop, { eval: true }).once('message', () => {
      if (++up === n) say(`spinning ${n}`);
    });
  }
  forever();
} else if (mode === 'burn') {
  say('burning');
  for (;;);
} else if (mode === 'listen') {
  const server = createServer((c) => c.end('hi\n'));
  server.listen(Number(arg ?? 0), '127.0.0.1', () => say(`listening ${server.address().port}`));
} else if (mode === 'hold') {
  say(`holding ${openSync(arg, 'r')}`);
  forever();
} else if (mode === 'fds') {
  let last = -1;
  try {
    for (;;) last = openSync('/dev/null', 'r');
  } catch (err) {
    say(`last ${last} ${err.code}`);
  }
} else {
  process.stderr.write(`target.mjs: unknown mode "${mode}"\n`);
  process.exit(2);
}
