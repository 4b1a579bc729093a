// Lab: a CI job with no memory budget, whose leak brought the machine's own OOM killer down on
// the database. The learner's limit.sh configures the job's cgroup as a runtime would; the
// claims are the step `oom`'s, with its hog and its files: the leak dies by SIGKILL, counted by
// the cgroup's OOM counter, never past the limit; and a job within the budget still finishes.

import { defineLab } from '../../../kit/lab.ts';
import { labSandbox } from '../../env.ts';
import { LIMIT, MiB, memoryFilesHere, readValue, runHog } from '../../memory.ts';

const BUDGET_MIB = LIMIT / MiB;
const WITHIN_MIB = 32;
/** The leak: past the budget is as good a proof as 1 GiB, and an unlimited run ends sooner. */
const LEAK_MIB = BUDGET_MIB + 32;

export const lab = defineLab(import.meta.url, {
  id: 'memory-limit',
  title: 'A leak that takes the machine down',
  task: `One CI job leaked 20 GiB and the machine's OOM killer took the database with it: make limit.sh give each job a budget of ${BUDGET_MIB} MiB that kills only the job.`,
  section: 'a-memory-limit-and-the-oom-killer',
  files: ['limit.sh'],
  needs: ['root', 'cgroup-memory'],
  timeoutMs: 30_000,
  startFails: `a job that leaks past ${BUDGET_MIB} MiB is killed by the OOM killer`,
  check: async (t, dir) => {
    const sb = await labSandbox(t);
    const files = memoryFilesHere();
    const cgroup = await sb.cgroup(['memory']);
    const folder = cgroup.folders()[0] as string;
    const env = { CGROUP: folder, CGROUP_VERSION: files.version };
    const setup = await sb.run('sh', [`${dir}/limit.sh`], { env });
    t.say(`cgroup v${files.version}: ${files.fact.value}`);
    t.equal(
      'limit.sh sets the budget without an error (exit 0, nothing on stderr)',
      [setup.code, setup.stderr.trim()],
      [0, ''],
    );
    const leak = await runHog(sb, cgroup, LEAK_MIB);
    const kills = readValue(cgroup, files.oom);
    const peak = readValue(cgroup, files.peak);
    const job = await runHog(sb, cgroup, WITHIN_MIB);
    t.table(
      ['job', 'its parent saw', 'last line it printed'],
      [
        [
          `hog.mjs ${LEAK_MIB} (leaks up to ${LEAK_MIB} MiB)`,
          `code ${leak.code}, signal ${leak.signal}`,
          leak.last,
        ],
        [
          `hog.mjs ${WITHIN_MIB} (needs ${WITHIN_MIB} MiB)`,
          `code ${job.code}, signal ${job.signal}`,
          job.last,
        ],
      ],
    );
    t.show(
      `${files.limit} / ${files.peak} (MiB)`,
      `${(readValue(cgroup, files.limit) / MiB).toFixed(2)} / ${(peak / MiB).toFixed(2)}`,
    );
    t.equal(
      `a job that leaks past ${BUDGET_MIB} MiB is killed by the OOM killer: SIGKILL, and ${files.oom} counts 1`,
      [leak.signal, leak.survived, kills],
      ['SIGKILL', false, 1],
    );
    t.check(
      `it never used more than its budget: ${files.peak} ≤ ${BUDGET_MIB} MiB`,
      peak <= LIMIT,
      `${(peak / MiB).toFixed(2)} MiB`,
    );
    t.equal(
      `a job that needs ${WITHIN_MIB} MiB still runs to its end (exit 0)`,
      [job.code, job.survived],
      [0, true],
    );
  },
  hints: [
    {
      claim: 'limit.sh sets the budget without an error',
      ladder: [
        'limit.sh failed: read the error above. Writing a cgroup file fails with "Invalid argument" when the kernel cannot parse the value, and a file of the other cgroup version does not exist.',
        'The kernel parses sizes with memparse: a number of bytes, optionally followed by K, M or G (powers of 1024). "128Mi" and "128MB" are Kubernetes\' and people\'s spellings, not the kernel\'s.',
      ],
    },
    {
      claim: `a job that leaks past ${BUDGET_MIB} MiB is killed by the OOM killer`,
      ladder: [
        "The leaking job was not stopped by its cgroup: it got to 1 GiB (or died of something other than the cgroup's OOM killer).",
        'A memory cgroup enforces a hard limit: v1 `memory.limit_in_bytes` (cgroup-v1/memory.rst §2.5), v2 `memory.max` (cgroup-v2.rst "memory.max"). At it the kernel reclaims, and when it cannot, the OOM killer kills a process of this cgroup with SIGKILL.',
        'A soft limit is not one: v1 `memory.soft_limit_in_bytes` only matters when the whole machine is short of memory, and v2 `memory.high` throttles and reclaims but never kills. Where swap is accounted (v1 `memory.memsw.limit_in_bytes`, v2 `memory.swap.max`), cap it too, or the job swaps instead of dying.',
      ],
    },
    {
      claim: 'it never used more than its budget',
      ladder: [
        `The job was killed, but only after it used more than ${BUDGET_MIB} MiB: the limit you wrote is larger than the budget.`,
        `${BUDGET_MIB} MiB is ${LIMIT} bytes, or "${BUDGET_MIB}M" in the kernel's spelling.`,
      ],
    },
    {
      claim: `a job that needs ${WITHIN_MIB} MiB still runs to its end`,
      ladder: [
        `A job well within the budget was killed: the limit is far smaller than ${BUDGET_MIB} MiB.`,
        `The files count bytes: "${BUDGET_MIB}" alone is ${BUDGET_MIB} bytes (rounded up to a page), too little to start a process. Write "${BUDGET_MIB}M" or ${LIMIT}.`,
      ],
    },
  ],
  wrong: [
    {
      case: 'soft-limit',
      fails: `a job that leaks past ${BUDGET_MIB} MiB is killed by the OOM killer`,
      why: 'a soft limit (v1 soft_limit_in_bytes, v2 memory.high) never kills: the leak goes on',
    },
    {
      case: 'kubernetes-units',
      fails: 'limit.sh sets the budget without an error',
      why: '"128Mi" is Kubernetes\' spelling; the kernel answers EINVAL',
    },
    {
      case: 'no-unit',
      fails: `a job that needs ${WITHIN_MIB} MiB still runs to its end`,
      why: 'a bare number is bytes: a limit of 128 bytes kills every job',
    },
  ],
});
