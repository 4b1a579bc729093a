// node:cluster with 2 workers (the first argument): the primary accepts connections and deals them
// to the workers in turn (SCHED_RR, the default except on Windows). GET /cpu?ms=N spins the CPU
// for N ms in a worker and answers with that worker's pid.

import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';

const workers = Number(process.argv[2] ?? 2);

if (cluster.isPrimary) {
  let listening = 0;
  cluster.on('listening', (_worker, address) => {
    listening += 1;
    if (listening === workers) process.stdout.write(`listening ${address.port}\n`);
  });
  for (let i = 0; i < workers; i++) cluster.fork();
} else {
  createServer((req, res) => {
    const ms = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('ms') ?? 0);
    const start = performance.now();
    while (performance.now() - start < ms);
    res.end(JSON.stringify({ pid: process.pid }));
  }).listen(0, '127.0.0.1');
}
