// What the seed notes and interview lore say about signals, exit codes, shutdown and probes.

import type { LedgerEntry } from '../kit/ledger.ts';

const K8S_LIFECYCLE =
  'kubernetes/website content/en/docs/concepts/workloads/pods/pod-lifecycle.md ("Container probes")';
const K8S_PROBES =
  'kubernetes/website content/en/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes.md ("Configure Probes")';
const K8S_MEMORY =
  'kubernetes/website content/en/docs/tasks/configure-pod-container/assign-memory-resource.md ("Exceed a Container\'s memory limit")';
const NO_KUBELET = 'no kubelet on this machine';

export const ledger: LedgerEntry[] = [
  {
    id: 'kill-l-numbers',
    said: '`kill -l`: 1) SIGHUP 2) SIGINT 3) SIGQUIT … 9) SIGKILL … 15) SIGTERM … 18) SIGCONT 19) SIGSTOP',
    source: 'seed 000:428',
    verdict: 'holds',
    truth:
      'These are the numbers on x86 and ARM Linux; SPARC and MIPS number STOP and CONT differently, so scripts use names.',
    by: { step: 'defaults', claim: 'on x64 Linux the numbers are' },
  },
  {
    id: 'kill-1-2',
    said: '`kill -1 <PID>`, `kill -2 <PID>` (HUP, INT).',
    source: 'seed 000:447',
    verdict: 'holds',
    truth:
      'HUP and INT terminate by default; a handler replaces that (daemons reload on HUP), and `kill -HUP` says the same on every architecture.',
    by: { step: 'defaults', claim: "SIGHUP's default action (terminate) ends `sleep`" },
  },
  {
    id: 'namespaces-seven',
    said: 'There are seven namespaces: PID, network, mount, user, IPC, cgroups, UTS.',
    source: 'seed 000:218',
    verdict: 'depends on version',
    truth:
      'Seven until Linux 5.6 added the time namespace; since then there are eight (namespaces(7)).',
    by: { step: 'pid1', claim: 'Linux ' },
  },
  {
    id: 'namespace-list',
    said: 'Namespace types: PID, Network, Mount, UTS, IPC, User.',
    source: 'seed 001:205',
    verdict: 'partly',
    truth:
      'All six exist, but the list misses two: cgroup (Linux 4.6) and time (Linux 5.6); there are eight (namespaces(7)).',
    by: { step: 'pid1', claim: 'Linux ' },
  },
  {
    id: 'kill-9-kernel',
    said: '`kill -9 <PID>` goes to the kernel.',
    source: 'seed 000:443',
    verdict: 'partly',
    truth:
      "No process can catch or ignore SIGKILL, so the kernel ends it; the exception is a PID namespace's init, which ignores KILL sent from inside its namespace.",
    by: { step: 'pid1', claim: 'SIGKILL sent from inside the namespace to its PID 1 is ignored' },
  },
  {
    id: 'kill-9-uncatchable',
    said: 'A process can install a handler for SIGKILL or SIGSTOP.',
    source: 'lore',
    verdict: 'wrong',
    truth: "The kernel refuses: Node's process.on('SIGKILL') throws uv_signal_start EINVAL.",
    by: { step: 'defaults', claim: "process.on('SIGKILL') throws" },
  },
  {
    id: 'kill-15-timeout',
    said: '`kill -15 <PID>` asks the process for a graceful shutdown; there is a timeout.',
    source: 'seed 000:444',
    verdict: 'partly',
    truth:
      'TERM is catchable and only asks; the timeout belongs to whoever sends it, which then sends KILL (shown with a 1 s grace; the defaults are cited: Kubernetes `terminationGracePeriodSeconds` 30 s, `docker stop` 10 s, systemd `DefaultTimeoutStopSec` 90 s).',
    by: {
      step: 'kubernetes',
      claim: 'a process that ignores TERM is KILLed when the grace period ends',
    },
  },
  {
    id: 'term-graceful-by-default',
    said: 'SIGTERM makes a service finish its requests and exit gracefully.',
    source: 'lore',
    verdict: 'partly',
    truth:
      "Only if it has a handler that does so: without one, TERM's default action kills it mid-request (Node included).",
    by: { step: 'defaults', claim: 'node without a SIGTERM handler dies by it' },
  },
  {
    id: 'useful-signals',
    said: 'Particularly useful signals include HUP, INT, KILL, STOP, CONT, and 0.',
    source: 'seed 000:446',
    verdict: 'holds',
    truth:
      'kill(1) says so; signal 0 sends nothing and only checks that the pid exists and may be signalled.',
    by: { step: 'defaults', claim: 'signal 0 sends nothing and only checks' },
  },
  {
    id: 'kill-19-18',
    said: '`kill -19 <PID>` and `kill -18 <PID>` (stop, continue).',
    source: 'seed 000:449',
    verdict: 'partly',
    truth:
      'STOP freezes the process (state T) and CONT resumes it, but 19 and 18 are x86/ARM numbers: `kill -STOP`, `kill -CONT` work everywhere.',
    by: { step: 'stop-cont', claim: 'after SIGSTOP /proc/<pid>/status says "T (stopped)"' },
  },
  {
    id: '137-oom-table',
    said: 'Exit code 137: OOMKilled, out of memory (exceeded limits).',
    source: 'seed 002:233',
    verdict: 'partly',
    truth:
      '137 is 128 + 9: killed by SIGKILL from anyone (the OOM killer, a grace period running out, kill -9), or exit(137); only "Reason: OOMKilled" names the OOM killer.',
    by: { step: 'exit-status', claim: 'a process that calls exit(137) is reported as 137 as well' },
  },
  {
    id: '137-oom-pitfall',
    said: 'Exit code 137 = OOM, 1 = app error (different fixes).',
    source: 'seed 002:333',
    verdict: 'partly',
    truth:
      'A TERM ignored until the grace period ends also gives 137; read the Reason field before raising memory limits.',
    by: {
      step: 'kubernetes',
      claim: 'a process that ignores TERM is KILLed when the grace period ends, and reports 137',
    },
  },
  {
    id: '137-oom-answer',
    said: '"What does exit code 137 mean?" — OOMKilled, out of memory.',
    source: 'seed 002:342',
    verdict: 'partly',
    truth:
      'It means SIGKILL (128 + 9) as a shell reports it; Node reports the same death as signal SIGKILL, code null.',
    by: { step: 'exit-status', claim: "Node's 'exit' event for a child killed by SIGKILL" },
  },
  {
    id: '139-segv',
    said: 'Exit code 139: segmentation fault.',
    source: 'seed 002:234',
    verdict: 'holds',
    truth: '139 is 128 + 11, SIGSEGV, whoever sent it.',
    by: { step: 'exit-status', claim: 'SIGSEGV (11) is reported as 139' },
  },
  {
    id: '255-unknown',
    said: 'Exit code 255: unknown error, general failure.',
    source: 'seed 002:235',
    verdict: 'partly',
    truth:
      '255 has no standard meaning; exit(-1) produces it, because only the low 8 bits survive.',
    by: { step: 'exit-status', claim: 'exit(-1) is reported as 255' },
  },
  {
    id: 'pid1-term',
    said: 'A container stops as soon as it gets SIGTERM.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'PID 1 of a namespace gets only the signals it has handlers for; a shell wrapper as PID 1 never forwards TERM, so the stop waits for the grace period and KILL.',
    by: { step: 'pid1', claim: 'sh as PID 1 ignores TERM and never forwards it' },
  },
  {
    id: 'close-waits',
    said: 'server.close() waits for the open connections to finish, then the process exits.',
    source: 'lore',
    verdict: 'partly',
    truth:
      'close() stops listening and (Node ≥ 19) closes idle connections, but a keep-alive connection keeps being served and holds the process until it closes: call closeIdleConnections() after responses.',
    by: { step: 'node-http', claim: 'its keep-alive connection stays open and is served again' },
  },
  {
    id: 'nginx-term',
    said: '`nginx -s stop` (TERM) shuts nginx down gracefully.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'TERM and INT are the fast shutdown and cut requests in flight; QUIT (`nginx -s quit`) is the graceful one.',
    by: { step: 'nginx', claim: 'TERM cuts the request in flight' },
  },
  {
    id: 'default-liveness',
    said: "By default Kubernetes checks the state of the container's PID 1 process.",
    source: 'seed 000:200',
    verdict: 'partly',
    truth:
      'There is no default probe (an unconfigured probe counts as Success); the kubelet sees only the exit of PID 1, so a hung PID 1 goes unnoticed without a liveness probe.',
    by: { cited: K8S_LIFECYCLE, why: NO_KUBELET },
  },
  {
    id: 'readiness-traffic',
    said: 'The readiness probe is about traffic (adding the pod to the endpoints object).',
    source: 'seed 000:206',
    verdict: 'holds',
    truth:
      "A failing readiness probe removes the pod's IP from the EndpointSlices of every matching Service; probing goes on.",
    by: { cited: K8S_LIFECYCLE, why: NO_KUBELET },
  },
  {
    id: 'startup-deferred',
    said: 'The startup probe keeps probing, deferred.',
    source: 'seed 000:207',
    verdict: 'wrong',
    truth:
      'The startup probe runs first, holds back the liveness and readiness probes until it succeeds, then stops; failing it kills the container.',
    by: { cited: K8S_LIFECYCLE, why: NO_KUBELET },
  },
  {
    id: 'startup-only-at-start',
    said: 'Startup probes are only executed at startup; a failure kills the container, which follows the restartPolicy.',
    source: 'seed 000:209',
    verdict: 'holds',
    truth: 'As the docs say; size failureThreshold × periodSeconds to the worst start-up time.',
    by: { cited: K8S_LIFECYCLE, why: NO_KUBELET },
  },
  {
    id: 'readiness-endpoints',
    said: "A failed readiness probe makes Kubernetes remove the pod's IP from the endpoints of all services.",
    source: 'seed 000:211',
    verdict: 'holds',
    truth: 'Yes, from every matching Service (EndpointSlices), until the probe succeeds again.',
    by: { cited: K8S_LIFECYCLE, why: NO_KUBELET },
  },
  {
    id: 'liveness-redeploy',
    said: 'If the liveness probe fails, Kubernetes kills the container and attempts to redeploy it.',
    source: 'seed 000:213',
    verdict: 'partly',
    truth:
      'The kubelet kills the container and restarts it in the same pod on the same node; nothing is redeployed.',
    by: { cited: K8S_LIFECYCLE, why: NO_KUBELET },
  },
  {
    id: 'probe-kills-pod',
    said: 'A probe fails and Kubernetes kills the pod.',
    source: 'seed 002:114',
    verdict: 'partly',
    truth:
      'A liveness (or startup) failure restarts the container; a readiness failure only takes the pod out of Services.',
    by: { cited: K8S_LIFECYCLE, why: NO_KUBELET },
  },
  {
    id: 'three-failures',
    said: 'If /health does not answer in 1 s the probe fails; after 3 failures the container is killed (CrashLoopBackOff).',
    source: 'seed 002:118',
    verdict: 'partly',
    truth:
      'timeoutSeconds 1 and failureThreshold 3 are the defaults, and the container is then restarted; CrashLoopBackOff is the back-off between restarts (10 s doubling to 300 s).',
    by: { cited: K8S_PROBES, why: NO_KUBELET },
  },
  {
    id: 'probe-timeout-1s',
    said: 'If /health does not respond within 1 s, the probe fails (timeout=1s).',
    source: 'seed 002:117',
    verdict: 'holds',
    truth: 'timeoutSeconds defaults to 1; a probe that takes longer counts as one failure.',
    by: { cited: K8S_PROBES, why: NO_KUBELET },
  },
  {
    id: 'oom-reason',
    said: '`Reason: OOMKilled`, `Exit Code: 137`: the container used more memory than its limit.',
    source: 'seed 002:134',
    verdict: 'holds',
    truth: 'With that Reason, yes: the Reason field, not the 137, is what names the OOM killer.',
    by: { cited: K8S_MEMORY, why: NO_KUBELET },
  },
  {
    id: 'initial-delay',
    said: 'initialDelaySeconds: 5 is too short for an app that needs 15 s to start: wait longer.',
    source: 'seed 002:275',
    verdict: 'partly',
    truth:
      'A longer initialDelaySeconds works but delays every start; a startupProbe (failureThreshold × periodSeconds ≥ the worst start) holds liveness back only as long as needed.',
    by: { cited: K8S_PROBES, why: NO_KUBELET },
  },
  {
    id: 'liveness-vs-readiness',
    said: 'Liveness = restart if it fails, readiness = remove from service if it fails.',
    source: 'seed 002:341',
    verdict: 'holds',
    truth: 'Right; and with no probe configured neither happens.',
    by: { cited: K8S_LIFECYCLE, why: NO_KUBELET },
  },
  {
    id: 'grace-30s',
    said: 'Kubernetes waits 30 s after SIGTERM, then sends SIGKILL.',
    source: 'lore',
    verdict: 'holds',
    truth:
      'terminationGracePeriodSeconds defaults to 30 and includes the preStop hook; the kubelet then sends SIGKILL (the local mechanism: step `kubernetes`).',
    by: {
      cited:
        'kubernetes/website content/en/docs/concepts/workloads/pods/pod-lifecycle.md ("Termination of Pods")',
      why: NO_KUBELET,
    },
  },
];
