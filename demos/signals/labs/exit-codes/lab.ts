// Lab: an entrypoint wrapper that tells its supervisor 0 whatever happened, so an OOM-killed
// worker is never restarted. Decided as step `exit-status` decides what a parent sees: the
// same harness and target program, the wrapper run by sh, the worker killed or exiting.

import { defineLab } from '../../../kit/lab.ts';
import { runName } from '../../../kit/names.ts';
import { statusOf } from '../../exit-status.ts';
import { exitWithin, Processes } from '../../harness.ts';
import { describeExit, targetCommand } from '../../targets.ts';

const BOUND_MS = 15_000;

export const lab = defineLab(import.meta.url, {
  id: 'exit-codes',
  title: 'Tell the supervisor the truth',
  task: 'The worker was OOM-killed every hour and its supervisor saw success each time: make run.sh report how the worker really ended.',
  section: 'exit-status-128--n',
  files: ['run.sh'],
  startFails: 'a worker killed by SIGKILL (an OOM kill) is reported as that death',
  check: async (t, dir) => {
    const procs = new Processes(runName('signals'));
    t.defer(() => procs.killAll());
    const wrapped = (args: string[] = []) =>
      procs.start('sh', [`${dir}/run.sh`, ...targetCommand(args)]);
    const ended = async (p: ReturnType<typeof wrapped>) =>
      describeExit(await exitWithin(p, BOUND_MS));

    const oom = wrapped();
    process.kill(Number((await oom.waitFor(/ready (\d+)/, BOUND_MS))[1]), 'SIGKILL');
    const seen = await ended(oom);
    t.check(
      `a worker killed by SIGKILL (an OOM kill) is reported as that death: killed by SIGKILL, or ${statusOf('SIGKILL')} from a shell`,
      ['killed by SIGKILL', `exit code ${statusOf('SIGKILL')}`].includes(seen),
      `the supervisor saw: ${seen}`,
    );
    t.equal(
      'a worker that exits 3 is reported as exit code 3',
      await ended(wrapped(['exit=3'])),
      'exit code 3',
    );
    t.equal(
      'a worker that exits 0 is reported as exit code 0',
      await ended(wrapped(['exit=0'])),
      'exit code 0',
    );
  },
  hints: [
    {
      claim: 'a worker killed by SIGKILL (an OOM kill) is reported as that death',
      ladder: [
        'The worker died of SIGKILL and the supervisor was told something else.',
        "A wrapper's own exit status is all its parent sees. `exit 0` throws the worker's away; a shell reports a child killed by signal N as 128 + N (137 for SIGKILL), and `$?` carries it.",
        'Make the worker the process the supervisor waits for: `exec "$@"` (or keep the shell and end with `exit $?`).',
      ],
    },
    {
      claim: 'a worker that exits 3 is reported as exit code 3',
      ladder: [
        "The worker's own failure code did not reach the supervisor unchanged.",
        'Codes carry meaning (restart policies and alerts key on them); pass the status through rather than mapping it: `exec "$@"`.',
      ],
    },
    {
      claim: 'a worker that exits 0 is reported as exit code 0',
      ladder: ['A worker that succeeded was reported as a failure.'],
    },
  ],
  wrong: [
    {
      case: 'or-exit-1',
      fails: 'a worker killed by SIGKILL (an OOM kill) is reported as that death',
      why: '`|| exit 1` turns 137 into 1: a failure, but no longer the OOM kill it was',
    },
  ],
});
