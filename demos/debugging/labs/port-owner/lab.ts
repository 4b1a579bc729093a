// Lab: the runbook step "find who holds the port, kill it", written as a script. The check stages
// what makes the usual one-liners lie, with the debugging demo's own target program: the listener,
// a client connected to the same port (lsof -i lists it too), and a listener on a port whose
// number starts with the same digits (a grep for the port matches it). The step `ports` decides
// the same way: the pid named must be the listener's.

import { createServer } from 'node:net';
import { defineLab } from '../../../kit/lab.ts';
import { closeServer, listen } from '../../../kit/net.ts';
import { labEnv, startTarget } from '../../env.ts';
import { lines } from '../../tools.ts';

async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  try {
    await listen(server, '127.0.0.1', port);
    return true;
  } catch {
    return false;
  } finally {
    await closeServer(server);
  }
}

/** A free port P (4 digits) and a free port of P followed by one more digit. */
async function portAndDecoy(): Promise<[number, number]> {
  for (let i = 0; i < 50; i++) {
    const port = 1024 + Math.floor(Math.random() * (6552 - 1024));
    const decoy = port * 10 + Math.floor(Math.random() * 10);
    if ((await isFree(port)) && (await isFree(decoy))) return [port, decoy];
  }
  throw new Error('found no free pair of ports on 127.0.0.1');
}

export const lab = defineLab(import.meta.url, {
  id: 'port-owner',
  title: 'Kill what holds the port, and only that',
  task: "A deploy fails with EADDRINUSE and the runbook kills whatever who-listens.sh prints: make it print the pid of the port's listener, and nothing else.",
  section: 'who-holds-this-port',
  files: ['who-listens.sh'],
  needs: ['root', 'lsof'],
  timeoutMs: 30_000,
  startFails: 'it prints the pid of the process listening on the port',
  check: async (t, dir) => {
    const env = await labEnv(t);
    const [port, decoy] = await portAndDecoy();
    const { p: server } = await startTarget(env, ['listen', String(port), 'keep'], /listening/);
    const { p: other } = await startTarget(env, ['listen', String(decoy)], /listening/);
    const { p: client } = await startTarget(env, ['client', String(port)], /connected/);
    const run = await env.sandbox.run('sh', [`${dir}/who-listens.sh`, String(port)]);
    const printed = lines(run.stdout).flatMap((l) => l.trim().split(/\s+/));
    t.table(
      ['process', 'pid'],
      [
        [`the listener on ${port}`, server.pid],
        [`a client connected to ${port}`, client.pid],
        [`the listener on ${decoy}`, other.pid],
      ],
    );
    t.show(`sh who-listens.sh ${port}`, printed.join(' ') || run.stderr.trim() || '(nothing)');
    t.check(
      'it prints the pid of the process listening on the port',
      printed.includes(String(server.pid)),
      `printed: ${printed.join(' ') || '(nothing)'}`,
    );
    t.check(
      `not the pid of a client connected to that port (${client.pid})`,
      !printed.includes(String(client.pid)),
      `printed: ${printed.join(' ')}`,
    );
    t.check(
      `not the pid of the listener on port ${decoy}, whose number starts with ${port} (${other.pid})`,
      !printed.includes(String(other.pid)),
      `printed: ${printed.join(' ')}`,
    );
    t.equal('and nothing else: one pid on one line', printed, [String(server.pid)]);
  },
  hints: [
    {
      claim: 'it prints the pid of the process listening on the port',
      ladder: [
        "The listener's pid is not in what the script printed.",
        'The kernel knows which process holds each socket: `ss -ltnp` lists listening TCP sockets with `users:(("node",pid=…,fd=…))`, and `lsof -nP -iTCP:PORT -sTCP:LISTEN` says the same from the processes\' side (both need root for other users\' processes).',
        "`lsof -t` prints pids only; out of ss, take the `pid=` numbers (`grep -o 'pid=[0-9]*' | cut -d= -f2`).",
      ],
    },
    {
      claim: 'not the pid of a client connected to that port',
      ladder: [
        'It also named a process that only has a connection to the port: killing it kills a client.',
        '`lsof -i :PORT` selects every socket with PORT at either end, connections included (lsof(8), "-i"); so does `ss -tnp` with a grep.',
        'Keep only the listening socket: `lsof -iTCP:PORT -sTCP:LISTEN`, or `ss -l` (listening sockets only).',
      ],
    },
    {
      claim: 'not the pid of the listener on port',
      ladder: [
        'It named the listener of another port, whose number begins with the same digits.',
        '`grep ":PORT"` matches `:PORT5` too: a text match on the port is a prefix match.',
        'Let ss filter on the socket itself: `ss -Hltnp "sport = :PORT"` (ss(8), FILTER), or anchor the match (`":PORT "`).',
      ],
    },
    {
      claim: 'and nothing else: one pid on one line',
      ladder: [
        'The script printed more than the pid: the runbook would pass every word of it to kill.',
        'Print the number alone, once: `lsof -t` does; from ss, `grep -o` the `pid=` field and `sort -u` (one listener can show on several lines).',
      ],
    },
  ],
  wrong: [
    {
      case: 'lsof-i',
      fails: 'not the pid of a client connected to that port',
      why: '`lsof -i :PORT` also lists the processes connected to the port, not just its listener',
    },
    {
      case: 'grep-port',
      fails: 'not the pid of the listener on port',
      why: '`grep ":PORT"` also matches a port whose number starts with the same digits',
    },
  ],
});
