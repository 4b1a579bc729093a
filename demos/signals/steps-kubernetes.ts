// What Kubernetes does with the mechanisms above (cited, not run: there is no kubelet here). The
// claims are about the local mechanism a pod relies on: TERM, a grace period, then KILL.

import { step } from '../kit/define.ts';
import type { Env } from './env.ts';
import { statusOf } from './exit-status.ts';
import { handledTerm, stopTest } from './stop-test.ts';
import { targetCommand } from './targets.ts';

/** The demo's stand-in for terminationGracePeriodSeconds (30 s in a pod). */
const GRACE_S = 1;

export const kubernetesStep = step<Env>(
  {
    id: 'kubernetes',
    section: 'what-kubernetes-does-with-all-this',
    title: 'A pod stop is preStop, TERM to PID 1, a grace period, then KILL: the same stop-test',
  },
  async (t, env) => {
    t.table(
      ['Kubernetes (cited: pod-lifecycle.md)', 'local step'],
      [
        ['preStop hook runs, inside the grace period', 'nginx (QUIT), node-http'],
        ['TERM (or the image STOPSIGNAL) to each container PID 1', 'pid1, defaults'],
        ['terminationGracePeriodSeconds, default 30 s, then SIGKILL', 'kubernetes (below)'],
        ['"Exit Code: 137" in Last State: 128 + SIGKILL', 'exit-status'],
        ['endpoints turn ready=false while the pod still gets traffic', 'node-http'],
        ['liveness failure: restart the container in place', '(cited)'],
        ['readiness failure: out of the Service endpoints', '(cited)'],
        ['startup probe: holds the others back until it succeeds', '(cited)'],
        ['no probe configured: the result is Success', '(cited)'],
      ],
    );
    t.say(`The kubelet's stop, with a ${GRACE_S} s grace period instead of 30 s:`);
    const ready = 'ready \\d+';
    const ignoring = await stopTest(env.procs, {
      command: targetCommand(['handle=TERM']),
      after: 0,
      ready,
      grace: GRACE_S,
    });
    const graceful = await stopTest(env.procs, {
      command: targetCommand(['exit-on=TERM']),
      after: 0,
      ready,
      grace: GRACE_S,
    });
    t.table(
      ['container process', 'after TERM', 'KILL needed', 'status'],
      [
        [
          'handler that ignores TERM',
          ignoring.killed ? 'ran out the grace period' : 'exited',
          String(ignoring.killed),
          String(ignoring.exit.signal ? statusOf(ignoring.exit.signal) : ignoring.exit.code),
        ],
        [
          'handler that exits 0',
          graceful.killed ? 'ran out the grace period' : 'exited',
          String(graceful.killed),
          String(graceful.exit.code),
        ],
      ],
    );
    t.check(
      'a process that ignores TERM is KILLed when the grace period ends, and reports 137',
      ignoring.killed && ignoring.exit.signal === 'SIGKILL' && statusOf('SIGKILL') === 137,
    );
    t.check(
      'a process whose TERM handler exits needs no KILL: status 0 within the grace period',
      !graceful.killed && handledTerm(graceful) && graceful.exit.code === 0,
    );
  },
);
