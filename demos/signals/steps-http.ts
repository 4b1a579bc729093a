// Graceful shutdown of a Node HTTP server, seen from its clients: what server.close() does to an
// in-flight request, to an idle keep-alive connection and to a new one, and what keeps the
// process alive afterwards.

import { Server } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { step } from '../kit/define.ts';
import { expectedFor } from '../kit/versions.ts';
import { type Env, shipped } from './env.ts';
import { exitWithin, type Proc } from './harness.ts';
import { type Connection, describeOutcome, type Outcome, open } from './http-client.ts';
import { describeExit } from './targets.ts';
import { KEEP_ALIVE_TIMEOUT } from './versions.ts';

const MODES = ['close', 'close-idle', 'close-all'] as const;
type Mode = (typeof MODES)[number];
const SLOW_MS = 600;
const LABELS: Record<Mode, string> = {
  close: 'close()',
  'close-idle': '+ closeIdle…()',
  'close-all': '+ closeAll…()',
};

interface Seen {
  mode: Mode;
  inFlight: Outcome;
  newConnection: string;
  idleClosedAtClose: boolean;
  /** A second request on the in-flight request's connection, after its response. */
  reuse?: Outcome;
  /** Whether the process was still running after the in-flight response (and reuse). */
  heldAfterResponse: boolean;
  exit: string;
}

async function connection(port: number): Promise<Connection> {
  const c = await open(port);
  if ('error' in c) throw new Error(`connect to the app: ${c.error}`);
  return c;
}

async function shutdown(env: Env, mode: Mode): Promise<Seen> {
  const app: Proc = env.procs.start(process.execPath, [shipped('http-app.mjs'), mode]);
  const port = Number((await app.waitFor(/listening (\d+)/))[1]);
  const idle = await connection(port);
  await idle.get('/fast');
  const busy = await connection(port);
  const response = busy.get(`/slow?ms=${SLOW_MS}`);
  await app.waitFor(/request \/slow/);
  app.child.kill('SIGTERM');
  await app.waitFor(/SIGTERM: closing/);
  const fresh = await open(port);
  const newConnection = 'error' in fresh ? fresh.error : 'accepted';
  if (!('error' in fresh)) fresh.end();
  // Closed at close() means before the in-flight response; a reset closes both at once.
  const idleClosed = await Promise.race([
    idle.closed.then(() => true),
    response.then(() => Promise.race([idle.closed.then(() => true), delay(1000, false)])),
  ]);
  const inFlight = await response;
  let reuse: Outcome | undefined;
  let held = app.running();
  if (mode === 'close' && 'status' in inFlight) {
    // Nothing closes this connection on the server's side: it is served again, and it alone
    // keeps the process alive until the client lets go.
    reuse = await busy.get('/fast');
    held = app.running();
    busy.end();
  }
  const exit = describeExit(await exitWithin(app, 10_000));
  return {
    mode,
    inFlight,
    newConnection,
    idleClosedAtClose: idleClosed,
    reuse,
    heldAfterResponse: held,
    exit,
  };
}

export const httpStep = step<Env>(
  {
    id: 'node-http',
    section: 'graceful-http-shutdown-in-node',
    title: 'server.close() on SIGTERM: the in-flight request, idle keep-alive, new connections',
  },
  async (t, env) => {
    t.say(
      `Each app gets SIGTERM with one idle keep-alive connection and one request in flight ` +
        `(${SLOW_MS} ms); its handler calls close() and never process.exit().`,
    );
    const seen = await Promise.all(MODES.map((m) => shutdown(env, m)));
    t.figure({
      kind: 'matrix',
      title: 'what each client saw after SIGTERM',
      columns: ['in flight', 'new conn.', 'idle keep-alive', 'its socket after', 'process'],
      rows: seen.map((s) => ({
        label: LABELS[s.mode],
        cells: [
          describeOutcome(s.inFlight),
          s.newConnection,
          s.idleClosedAtClose ? 'closed at once' : 'open',
          s.reuse ? `reused: ${describeOutcome(s.reuse)}` : '',
          s.exit,
        ],
      })),
    });
    const [close, idle, all] = seen;
    t.equal(
      'after close() a new connection is refused',
      seen.map((s) => s.newConnection),
      ['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED'],
    );
    t.check(
      `close() closes the connections idle at the call (Node ${process.versions.node})`,
      seen.every((s) => s.idleClosedAtClose),
    );
    t.equal(
      'the request in flight at close() completes: 200',
      describeOutcome(close?.inFlight ?? { error: '' }),
      '200',
    );
    t.check(
      'its keep-alive connection stays open and is served again: close() alone keeps the process up',
      close?.reuse !== undefined &&
        describeOutcome(close.reuse) === '200' &&
        close.heldAfterResponse,
    );
    const fact = expectedFor(KEEP_ALIVE_TIMEOUT, process.versions.node);
    t.equal(
      `the server's keepAliveTimeout, which bounds how long that socket may hold it (${fact.when}): ${fact.value}`,
      `${new Server().keepAliveTimeout} ms`,
      fact.value,
    );
    t.equal(
      'once the client closes that connection, the process exits 0 by itself',
      close?.exit,
      'exit code 0',
    );
    t.check(
      'closeIdleConnections() after each response: the request completes, the process exits 0 unaided',
      describeOutcome(idle?.inFlight ?? { error: '' }) === '200' && idle?.exit === 'exit code 0',
      `${describeOutcome(idle?.inFlight ?? { error: '' })}, ${idle?.exit}`,
    );
    t.check(
      'closeAllConnections() loses the in-flight request: its connection closes with no response',
      !(all && 'status' in all.inFlight),
      describeOutcome(all?.inFlight ?? { error: '' }),
    );
  },
);
