// What the seed notes say about looking around a Linux box: seed 000's "how do you look around a
// server", strace, sniffing, load average and IO wait; seed 001's debugging toolkit.

import type { LedgerEntry } from '../kit/ledger.ts';

export const ledger: LedgerEntry[] = [
  {
    id: 'dmesg-kernel-log',
    said: '`dmesg`: the kernel log.',
    source: 'seed 000:393',
    verdict: 'holds',
    truth:
      "dmesg prints the kernel's ring buffer (OOM kills, disk and driver errors); where kernel.dmesg_restrict=1 only root may read it.",
    by: {
      cited: 'dmesg(1); Documentation/admin-guide/sysctl/kernel.rst "dmesg_restrict"',
      why: 'the demo cannot put a line in the shared kernel log without leaving it behind',
    },
  },
  {
    id: 'top',
    said: '`top` shows process CPU and memory usage in real time.',
    source: 'seed 001:192',
    verdict: 'holds',
    truth:
      "top reads /proc: its S column is the task's state and %CPU its share over the interval; batch mode (-b -n 2) makes it scriptable.",
    by: { step: 'first-minute', claim: 'top shows the runaway in state R' },
  },
  {
    id: 'ss-p',
    said: '`ss -p`; "is my app listening on 8080?" `ss -tlnp | grep 8080`.',
    source: 'seed 001:189',
    verdict: 'holds',
    truth: "ss -ltnp names the process holding each listening socket (root sees every user's).",
    by: { step: 'ports', claim: 'ss -ltnp names the listening process' },
  },
  {
    id: 'lsof-i-tcp',
    said: 'To see which TCP sessions are open: `lsof -i TCP`.',
    source: 'seed 000:402',
    verdict: 'partly',
    truth:
      'lsof lists sockets that processes hold; a connection in TIME-WAIT belongs to no process and only `ss -tan` shows it.',
    by: { step: 'ports', claim: 'lsof -i, which lists open files of processes, does not show it' },
  },
  {
    id: 'strace-how',
    said: 'How does strace work?',
    source: 'seed 000:407',
    verdict: 'holds',
    truth:
      'It attaches with ptrace(2) and the kernel stops the tracee at every syscall entry and exit; TracerPid in /proc/<pid>/status names it.',
    by: { step: 'strace-attach', claim: 'strace is a ptrace tracer' },
  },
  {
    id: 'strace-every-call',
    said: 'strace shows every interaction a process has with the Linux kernel.',
    source: 'seed 001:185',
    verdict: 'wrong',
    truth:
      'Calls the vDSO serves in user space (clock_gettime, gettimeofday) never reach it: 2000 clock reads, 0 syscalls; page faults are invisible too.',
    by: {
      step: 'strace-vdso',
      claim: '2000 reads of the wall and monotonic clocks make no syscall',
    },
  },
  {
    id: 'strace-hang',
    said: '"Why is this process hanging?" strace can show it is stuck on a specific system call.',
    source: 'seed 001:185',
    verdict: 'holds',
    truth:
      'strace -p shows the unfinished call (`read(0, `); /proc/<pid>/syscall and wchan tell the same without a tracer.',
    by: { step: 'strace-attach', claim: 'strace -p attaches to the running process' },
  },
  {
    id: 'ltrace',
    said: 'ltrace traces library calls, like strace for shared libraries.',
    source: 'seed 001:186',
    verdict: 'partly',
    truth:
      'It traces calls through the PLT into shared libraries; statically linked or inlined code, and calls within a library, are invisible.',
    by: {
      cited: 'ltrace(1)',
      why: 'ltrace is not among the tools this topic installs',
    },
  },
  {
    id: 'proc-environ',
    said: '`/proc/<PID>/environ` shows the exact environment a process is running in.',
    source: 'seed 001:187',
    verdict: 'wrong',
    truth:
      'It is the environment at execve(); changes the process makes later (setenv, putenv, process.env) never appear there.',
    by: {
      cited: 'proc(5) "/proc/pid/environ"',
      why: 'the containers topic owns and shows this fact',
    },
  },
  {
    id: 'tcpdump-interface',
    said: 'Sniff traffic on an interface: `tcpdump -i <eth>`.',
    source: 'seed 000:413',
    verdict: 'partly',
    truth:
      'It captures what the filter selects on that interface (lo too), as root; stopped right after the traffic without --immediate-mode it can write nothing.',
    by: { step: 'packets', claim: 'with --immediate-mode, stopped right after' },
  },
  {
    id: 'tcpdump-raw',
    said: 'tcpdump captures raw network traffic on an interface ("is the TCP connection even being established?").',
    source: 'seed 001:190',
    verdict: 'holds',
    truth:
      'The capture holds the handshake, payloads and FINs of the connection, readable by tcpdump -r and tshark.',
    by: { step: 'packets', claim: 'tcpdump -A shows the request line' },
  },
  {
    id: 'wireshark-text',
    said: 'Is there a text-mode Wireshark?',
    source: 'seed 000:414',
    verdict: 'holds',
    truth: "tshark: Wireshark's dissectors on the command line, reading the same pcap files.",
    by: { step: 'packets', claim: "tshark's HTTP dissector finds the method and path" },
  },
  {
    id: 'threads-load',
    said: 'Threads of Go or Java processes also count in the load (run queue).',
    source: 'seed 000:422',
    verdict: 'holds',
    truth:
      "The load counts tasks, and threads are tasks: N busy threads are N runnable tasks whatever the runtime (CPython's GIL lets about one run).",
    by: { step: 'load-threads', claim: '2 worker threads in a busy loop are 2 tasks in state R' },
  },
  {
    id: 'pidstat',
    said: 'pidstat reports statistics per process over time.',
    source: 'seed 001:195',
    verdict: 'holds',
    truth:
      'pidstat -p <pid> 1 shows its %usr/%system/%CPU per interval, and %wait: time it was runnable but waiting for a CPU.',
    by: { step: 'first-minute', claim: 'pidstat -p <pid> reports the CPU share' },
  },
];
