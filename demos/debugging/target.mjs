// The processes the debugging demo looks at, one mode per argument. Each prints one line when it
// is ready and then does its one thing until it is killed.
//   reader          blocks in read(0) until stdin has a line, prints it, exits
//   spin N          N worker threads in a busy loop (N runnable tasks)
//   burn            the main thread in a busy loop (a runaway process)
//   listen [PORT] [keep]  a TCP server on 127.0.0.1 that answers "hi" and closes first
//                   (keep: answers and holds each connection open)
//   client PORT     connects to 127.0.0.1:PORT and holds the connection
//   hold FILE       keeps FILE open (so it survives being deleted)
//   fds             opens /dev/null until open() fails, prints the last fd and the error
//   service FILE    a service whose worker (a child process) reads FILE; when it is missing the
//                   worker says "config not found", without the path, and both exit 1

import { spawn } from 'node:child_process';
import { openSync, readFileSync, readSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const [mode, arg, option] = process.argv.slice(2);
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
  const server = createServer((c) => (option === 'keep' ? c.write('hi\n') : c.end('hi\n')));
  server.listen(Number(arg ?? 0), '127.0.0.1', () => say(`listening ${server.address().port}`));
} else if (mode === 'client') {
  const c = connect(Number(arg), '127.0.0.1', () => say(`connected ${c.localPort}`));
  c.on('error', (err) => say(`error ${err.code}`));
  forever();
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
} else if (mode === 'service') {
  const worker = spawn(process.execPath, [fileURLToPath(import.meta.url), 'worker', arg], {
    stdio: 'inherit',
  });
  worker.on('exit', (code) => {
    say(`worker exited ${code}`);
    process.exit(code === 0 ? 0 : 1);
  });
} else if (mode === 'worker') {
  try {
    readFileSync(arg);
  } catch {
    process.stderr.write('config not found\n');
    process.exit(1);
  }
  say('configured');
} else {
  process.stderr.write(`target.mjs: unknown mode "${mode}"\n`);
  process.exit(2);
}
