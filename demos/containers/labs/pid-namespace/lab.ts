// Lab: a CI runner whose jobs see, and can kill, every process of the machine. The learner's
// launcher starts the same shell-and-ps probe the step `ns-types` starts under unshare, and the
// same `ip -o link` the step `netns` reads; the claims are those steps' own, seen from the job.

import { defineLab } from '../../../kit/lab.ts';
import { labSandbox } from '../../env.ts';
import { interfaceStates, processesSeen } from '../../seen-inside.ts';

/** The first lines of what ps printed, and how many there were in all. */
function listed(rows: string[][]): string[] {
  const shown = rows.slice(0, 6).map((r) => `  ${r.join(' ')}`);
  return rows.length > 6 ? [...shown, `  … ${rows.length} processes in all`] : shown;
}

export const lab = defineLab(import.meta.url, {
  id: 'pid-namespace',
  title: 'A job that can see the whole machine',
  task: "A CI job's `pkill node` killed the runner and every other job: make run.sh start each job so it sees only its own processes, and no network.",
  section: 'eight-namespace-types',
  files: ['run.sh'],
  needs: ['root', 'namespaces'],
  timeoutMs: 30_000,
  startFails: "the job's shell is PID 1 of a PID namespace of its own",
  check: async (t, dir) => {
    const sb = await labSandbox(t);
    const launcher = ['sh', `${dir}/run.sh`];
    const { shellPid, rows, ran } = await processesSeen(sb, launcher);
    t.block([
      '$ sh run.sh sh -c \'echo "shell $$"; sleep 60 & (until it is sleep); ps -e -o pid=,comm=\'',
      `  shell ${shellPid}`,
      ...listed(rows),
      ...ran.stderr
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => `  ${l}`),
    ]);
    t.equal("the job's shell is PID 1 of a PID namespace of its own ($$)", shellPid, 1);
    t.equal(
      "ps there lists only the job's 3 processes: sh, sleep, ps",
      rows.map((r) => r[1]),
      ['sh', 'sleep', 'ps'],
    );
    const links = await sb.run('sh', [`${dir}/run.sh`, 'ip', '-o', 'link', 'show']);
    const names = interfaceStates(links.stdout).map((l) => l.split(' ')[0]);
    t.show('sh run.sh ip -o link show', names.join(' ') || links.stderr.trim());
    t.equal("the job sees one network interface, lo, and none of the host's", names, ['lo']);
  },
  hints: [
    {
      claim: "the job's shell is PID 1 of a PID namespace of its own",
      ladder: [
        "The job's shell has a PID of the host's: it runs in the runner's PID namespace, where it sees, and may signal, every process on the machine.",
        'A PID namespace gives its first process PID 1 and shows its members only each other (pid_namespaces(7)); `unshare --pid` makes one (unshare(1)).',
        '`unshare --pid` moves unshare\'s children into the new namespace, never unshare itself (unshare(2)): without `--fork` the command it execs stays outside, its first child becomes PID 1 and dies, and the next fork fails ("Cannot fork"). Add `--fork`.',
      ],
    },
    {
      claim: "ps there lists only the job's 3 processes",
      ladder: [
        "The shell is PID 1, yet ps lists the machine's processes: ps only reads /proc, and that /proc is still the host's.",
        'A procfs shows the PID namespace it was mounted from, not the reader\'s (pid_namespaces(7), "/proc and PID namespaces"): the job needs a proc mounted inside its namespace, in a mount namespace of its own so the host\'s /proc is left alone.',
        "`unshare --mount-proc` does both: a new mount namespace, and a fresh proc on its /proc. (Mounting proc on /proc without `--mount` would cover the host's own /proc.)",
      ],
    },
    {
      claim: 'the job sees one network interface, lo',
      ladder: [
        "The job still sees the host's interfaces, so it can reach whatever the machine reaches.",
        'A new network namespace starts with only a loopback interface, down (network_namespaces(7)); `unshare --net` starts the command in one.',
      ],
    },
  ],
  wrong: [
    {
      case: 'no-mount-proc',
      fails: "ps there lists only the job's 3 processes",
      why: "the shell is PID 1, but ps reads the host's /proc and lists the whole machine",
    },
    {
      case: 'no-fork',
      fails: "the job's shell is PID 1 of a PID namespace of its own",
      why: 'without --fork the command stays in the old PID namespace; its first child takes PID 1',
    },
    {
      case: 'no-net',
      fails: 'the job sees one network interface, lo',
      why: 'PID and mount namespaces hide processes, not the network: the host’s interfaces are still there',
    },
  ],
});
