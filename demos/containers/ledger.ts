// What the seed notes and interview lore say about namespaces, cgroups, containers and exit codes.

import type { LedgerEntry } from '../kit/ledger.ts';

const CGROUPS_7 =
  'cgroups(7) "Cgroups version 1 controllers" (net_cls, net_prio only tag packets) and cgroup-v2.rst "Controllers" (no network controller)';

export const ledger: LedgerEntry[] = [
  {
    id: 'seven-namespaces',
    said: 'There are seven namespaces: PID, network, mount, user, IPC, cgroups, UTS.',
    source: 'seed 000:218',
    verdict: 'depends on version',
    truth:
      'Seven from Linux 4.6 (cgroup) to 5.5; Linux 5.6 added the time namespace, so every current kernel has eight.',
    by: { step: 'ns-types', claim: 'on Linux ' },
  },
  {
    id: 'six-types',
    said: 'Namespace types: PID, Network, Mount, UTS, IPC, User.',
    source: 'seed 001:205',
    verdict: 'partly',
    truth:
      'Those six existed by Linux 3.8; the list lacks cgroup (4.6) and time (5.6), and each of the eight makes a new inode in /proc/<pid>/ns.',
    by: { step: 'ns-types', claim: 'each type made new by unshare' },
  },
  {
    id: 'namespace-isolated-instance',
    said: 'A namespace wraps a global resource so a process looks like it has its own isolated instance.',
    source: 'seed 001:204',
    verdict: 'holds',
    truth:
      "A new UTS namespace's `hostname` changes only there; a new time namespace has its own boot clock (the wall clock is not virtualized).",
    by: { step: 'ns-types', claim: 'in a new UTS namespace' },
  },
  {
    id: 'own-pid1-net-fs',
    said: 'A process in a container has its own PID 1, its own network interfaces and its own filesystem.',
    source: 'seed 001:206',
    verdict: 'holds',
    truth:
      'Inside, ps lists only the container with its shell as PID 1, the only interface is lo, and / is the image folder (pivot_root).',
    by: { step: 'by-hand', claim: 'ps inside lists only the container' },
  },
  {
    id: 'processes-with-cgroups-namespaces',
    said: 'Containers are essentially processes running on a Linux host with cgroups and namespaces applied.',
    source: 'seed 001:206',
    verdict: 'partly',
    truth:
      "Plus their own root filesystem: a mount namespace pivot_root'ed into the image; runtimes also drop capabilities and add seccomp, often a user namespace.",
    by: { step: 'by-hand', claim: '`ls /` inside lists the image' },
  },
  {
    id: 'container-instance-of-image',
    said: 'Container = running instance of a Docker image.',
    source: 'seed 002:244',
    verdict: 'partly',
    truth:
      'An image is only files; the container is a process tree in new namespaces and a cgroup, whose root filesystem is those files.',
    by: { step: 'by-hand', claim: 'the cgroup it sees as its root' },
  },
  {
    id: 'cgroups-foundation',
    said: 'cgroups are the foundation of containers.',
    source: 'seed 001:35',
    verdict: 'partly',
    truth:
      'cgroups limit and count; namespaces isolate. A process in a memory cgroup still sees every host process and interface.',
    by: { step: 'exit-codes', claim: 'a process in a memory cgroup still shares every namespace' },
  },
  {
    id: 'cgroups-network',
    said: 'cgroups limit the resource usage (CPU, memory, disk I/O, network) of a group of processes.',
    source: 'seed 001:200',
    verdict: 'partly',
    truth:
      'CPU, memory, block I/O and the number of tasks, yes; there is no network bandwidth controller (net_cls and net_prio only tag packets for tc).',
    by: { cited: CGROUPS_7, why: 'a missing controller cannot be shown running' },
  },
  {
    id: 'limits-and-requests',
    said: 'cgroups are how Docker and Kubernetes enforce limits and requests; they stop a container from hogging all the RAM.',
    source: 'seed 001:201',
    verdict: 'partly',
    truth:
      'A memory limit is enforced by the OOM killer (SIGKILL) and a CPU limit by a quota; CPU requests become weights, and memory requests are only for the scheduler.',
    by: { step: 'oom', claim: 'the hog never finished' },
  },
  {
    id: 'oom-glossary',
    said: 'OOM = Out Of Memory (killed when it exceeds its memory limit).',
    source: 'seed 002:238',
    verdict: 'holds',
    truth:
      'When the cgroup cannot reclaim below its limit, the kernel OOM-kills a process in it with SIGKILL and counts it (oom_kill).',
    by: { step: 'oom', claim: "the cgroup's OOM kill counter counts both kills" },
  },
  {
    id: 'oomkilled-137',
    said: 'Reason: OOMKilled, Exit Code: 137: the container used more memory than its limit.',
    source: 'seed 002:134',
    verdict: 'holds',
    truth: 'The OOM kill is a SIGKILL, which a shell (and the runtime) reports as 128 + 9 = 137.',
    by: { step: 'oom', claim: 'a shell reports the same death as status 137' },
  },
  {
    id: 'exit-137-oom',
    said: 'Exit code 137 = OOMKilled.',
    source: 'seed 002:233',
    verdict: 'partly',
    truth:
      "137 is any SIGKILL (kill -9, a supervisor's grace period ending); only the cgroup's oom_kill counter or the reason OOMKilled names the OOM killer.",
    by: { step: 'exit-codes', claim: 'a `kill -9` gives the same SIGKILL' },
  },
  {
    id: 'pitfall-137',
    said: 'Ignoring exit codes: 137 = OOM, 1 = app error (different fixes).',
    source: 'seed 002:333',
    verdict: 'partly',
    truth:
      "1 is the program's own error exit; 137 is death by SIGKILL from anyone, the OOM killer among them.",
    by: { step: 'exit-codes', claim: 'a `kill -9` gives the same SIGKILL' },
  },
  {
    id: 'interview-137',
    said: '"What does exit code 137 mean?" — OOMKilled, out of memory.',
    source: 'seed 002:342',
    verdict: 'partly',
    truth:
      'Killed by SIGKILL (128 + 9); out of memory is one sender, shown by the OOM counter, not by the number.',
    by: { step: 'exit-codes', claim: 'a `kill -9` gives the same SIGKILL' },
  },
  {
    id: 'nonzero-crash',
    said: 'Exit Code 1: non-zero exit = crash.',
    source: 'seed 002:48',
    verdict: 'wrong',
    truth:
      'A non-zero status below 128 is the program exiting on purpose (1 for an uncaught error); a crash is death by a signal, reported as 128 + n (134 abort, 139 SIGSEGV).',
    by: { step: 'exit-codes', claim: 'a shell reports 1 1 2' },
  },
  {
    id: 'exit-1',
    said: 'Exit code 1 = application error (uncaught exception, missing config).',
    source: 'seed 002:232',
    verdict: 'holds',
    truth:
      'Node and Python both exit 1 on an uncaught error; any program may pick 1 for its own failures too.',
    by: { step: 'exit-codes', claim: 'a shell reports 1 1 2' },
  },
  {
    id: 'exit-139',
    said: 'Exit code 139 = segmentation fault.',
    source: 'seed 002:234',
    verdict: 'holds',
    truth: '128 + 11: killed by SIGSEGV, whether from a bad pointer or `kill -SEGV`.',
    by: { step: 'exit-codes', claim: 'a shell reports 1 1 2' },
  },
  {
    id: 'exit-255',
    said: 'Exit code 255 = unknown error.',
    source: 'seed 002:235',
    verdict: 'wrong',
    truth:
      'It has no standard meaning: it is what the program chose, e.g. exit(-1), since only the low 8 bits of the status survive (exit(300) gives 44).',
    by: { step: 'exit-codes', claim: 'a shell reports 1 1 2' },
  },
  {
    id: 'environ-exact',
    said: '/proc/<PID>/environ shows the exact environment a process is running in.',
    source: 'seed 001:187',
    verdict: 'partly',
    truth:
      "It shows the environment the process was exec'd with; variables it set or changed since are not there (proc(5)), though its children get them.",
    by: { step: 'environ', claim: '/proc/<pid>/environ still holds' },
  },
  {
    id: 'non-root-tmp',
    said: 'Pitfall: the app runs as non-root but needs to write to /tmp.',
    source: 'seed 002:337',
    verdict: 'partly',
    truth:
      '/tmp is mode 1777, so any user may write there; the usual cause is a read-only root filesystem (readOnlyRootFilesystem), fixed by mounting a writable volume (emptyDir) on /tmp.',
    by: {
      cited:
        'kubernetes/website content/en/docs/tasks/configure-pod-container/security-context.md; FHS 3.0 §3.18 (/tmp)',
      why: 'this demo builds no read-only root filesystem',
    },
  },
];
