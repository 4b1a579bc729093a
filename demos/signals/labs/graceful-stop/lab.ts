// Lab: an HTTP server that dies mid-request on every deploy. The claims are the http step's, seen
// from its clients: an in-flight request when TERM arrives, a new connection after it, and how
// the process ends — with the same harness and raw keep-alive client the step uses.

import { defineLab } from '../../../kit/lab.ts';
import { runName } from '../../../kit/names.ts';
import { exitWithin, Processes } from '../../harness.ts';
import { describeOutcome, open } from '../../http-client.ts';
import { describeExit } from '../../targets.ts';

const SLOW_MS = 600;

export const lab = defineLab(import.meta.url, {
  id: 'graceful-stop',
  title: 'Stop without dropping a request',
  task: 'Every deploy (SIGTERM) cuts the requests in flight: make server.mjs finish them, refuse new ones, and exit 0 by itself.',
  section: 'graceful-http-shutdown-in-node',
  files: ['server.mjs'],
  startFails: 'the request in flight when SIGTERM arrives gets its whole response',
  check: async (t, dir) => {
    const procs = new Processes(runName('signals'));
    t.defer(() => procs.killAll());
    const app = procs.start(process.execPath, [`${dir}/server.mjs`]);
    const port = Number((await app.waitFor(/listening (\d+)/, 15_000))[1]);
    const busy = await open(port);
    if ('error' in busy) throw new Error(`connect to your server: ${busy.error}`);
    const response = busy.get(`/slow?ms=${SLOW_MS}`);
    await app.waitFor(/request \/slow/, 15_000);
    app.child.kill('SIGTERM');
    const inFlight = await response;
    busy.end();
    t.equal(
      'the request in flight when SIGTERM arrives gets its whole response',
      'status' in inFlight ? `${inFlight.status} ${inFlight.body.trim()}` : inFlight.error,
      '200 /slow done',
    );
    const fresh = await open(port);
    if (!('error' in fresh)) fresh.end();
    t.equal(
      'a connection made after SIGTERM is refused',
      'error' in fresh ? fresh.error : 'accepted',
      'ECONNREFUSED',
    );
    t.equal(
      'the process then exits by itself, status 0',
      describeExit(await exitWithin(app, 15_000)),
      'exit code 0',
    );
    t.say(`in flight: ${describeOutcome(inFlight)}`);
  },
  hints: [
    {
      claim: 'the request in flight when SIGTERM arrives gets its whole response',
      ladder: [
        'The request that was being served when SIGTERM arrived never got its response: the connection was cut.',
        "SIGTERM's default action ends the process at once (signal(7)); a process that wants to finish its work must catch it — and must not end itself before that work is done.",
        "On SIGTERM call server.close(): it stops listening and lets the requests in flight finish (Node's http.Server#close).",
      ],
    },
    {
      claim: 'a connection made after SIGTERM is refused',
      ladder: [
        'After SIGTERM your server still accepted a new connection.',
        'Stop listening first: a load balancer retries a refused connection elsewhere.',
        'server.close() closes the listening socket at once.',
      ],
    },
    {
      claim: 'the process then exits by itself, status 0',
      ladder: [
        'Your process did not end with status 0 on its own after the work was done.',
        'A Node process exits 0 when nothing holds its event loop: a timer or an open server keeps it alive.',
      ],
    },
  ],
  wrong: [
    {
      case: 'exit-on-term',
      fails: 'the request in flight when SIGTERM arrives gets its whole response',
      why: 'process.exit() on SIGTERM ends the process with the request still in flight',
    },
    {
      case: 'sigint-only',
      fails: 'the request in flight when SIGTERM arrives gets its whole response',
      why: 'Ctrl-C sends SIGINT; a container runtime and Kubernetes send SIGTERM, which still kills it',
    },
  ],
});
