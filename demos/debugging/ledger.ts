// What the seed notes say about looking around a Linux box: seed 000's "how do you look around a
// server", strace, sniffing, load average and IO wait; seed 001's debugging toolkit.

import type { LedgerEntry } from '../kit/ledger.ts';

export const ledger: LedgerEntry[] = [
  {
    id: 'iowait-definition',
    said: 'IO wait: the time the system is idle while at least one process waits for disk I/O to finish.',
    source: 'seed 000:257',
    verdict: 'partly',
    truth:
      'That is the definition, but it is idle time: any runnable work erases it while tasks still wait, so proc(5) calls it unreliable; PSI io measures the stall.',
    by: { step: 'load-dstate', claim: 'with the CPUs kept busy iowait stays under 5 %' },
  },
  {
    id: 'var-log',
    said: 'Look in /var/log/.',
    source: 'seed 000:392',
    verdict: 'holds',
    truth:
      'Daemons and syslog write there (FHS); on systemd hosts much of it is in the journal instead (journalctl -b -p err).',
    by: {
      cited: 'Filesystem Hierarchy Standard 3.0, §5.10 "/var/log"; journalctl(1)',
      why: 'the demo writes no system logs and reads no host logs',
    },
  },
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
    id: 'container-logs',
    said: "The containers' logs on the host.",
    source: 'seed 000:394',
    verdict: 'holds',
    truth:
      "Docker's json-file driver keeps them in /var/lib/docker/containers/<id>/<id>-json.log; the kubelet links each pod's under /var/log/pods and /var/log/containers.",
    by: {
      cited: 'Docker docs "JSON File logging driver"; Kubernetes docs "Logging Architecture"',
      why: 'no container runtime on this machine',
    },
  },
  {
    id: 'inodes',
    said: 'Check the number of inodes.',
    source: 'seed 000:395',
    verdict: 'holds',
    truth:
      'A filesystem out of inodes refuses new files with ENOSPC while df -h shows free space; only df -i shows it.',
    by: { step: 'inodes', claim: 'creating files fails with ENOSPC' },
  },
  {
    id: 'iostat',
    said: '`iostat`',
    source: 'seed 000:396',
    verdict: 'holds',
    truth:
      "iostat -x shows each device's reads, writes, latency (r_await) and queue; -y skips the first report, which averages since boot.",
    by: { step: 'load-dstate', claim: "iostat -x sees the device's reads" },
  },
  {
    id: 'top-000',
    said: '`top`',
    source: 'seed 000:397',
    verdict: 'holds',
    truth: "top shows what uses the CPU and each task's state; -b -n 2 makes it a script's tool.",
    by: { step: 'first-minute', claim: 'top shows the runaway in state R' },
  },
  {
    id: 'lsblk',
    said: '`lsblk`',
    source: 'seed 000:398',
    verdict: 'holds',
    truth:
      'lsblk lists block devices (disks, partitions, loop devices) with their sizes and mount points.',
    by: { step: 'inodes', claim: 'lsblk lists the loop device' },
  },
  {
    id: 'fstab',
    said: '`fstab`',
    source: 'seed 000:399',
    verdict: 'holds',
    truth:
      '/etc/fstab says what mounts at boot, not what is mounted now (findmnt, /proc/self/mountinfo); `findmnt --verify` checks it.',
    by: { cited: 'fstab(5); findmnt(8)', why: 'the demo reads no host configuration' },
  },
  {
    id: 'ss-p-000',
    said: '`ss -p`',
    source: 'seed 000:400',
    verdict: 'holds',
    truth: "ss -p adds the process (name, pid, fd) to each socket; as root for every user's.",
    by: { step: 'ports', claim: 'ss -ltnp names the listening process' },
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
    by: { step: 'packets', claim: 'with --immediate-mode it holds the whole exchange' },
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
    id: 'lsof-unmount',
    said: '"Why can\'t I unmount this disk?" lsof shows which process holds a file open on it.',
    source: 'seed 001:188',
    verdict: 'partly',
    truth:
      'It names processes with a cwd or open file there; a holder in the kernel (a loop device over a file, swap, a mount) is invisible to it.',
    by: {
      step: 'held-space',
      claim: "but lsof shows no process on the loop device's backing file",
    },
  },
  {
    id: 'iostat-bottleneck',
    said: 'iostat: identifying disk I/O bottlenecks.',
    source: 'seed 001:193',
    verdict: 'partly',
    truth:
      'It sees the device (r/s, r_await, aqu-sz); a wait before the device, such as a cgroup I/O limit, does not show there, while PSI io does.',
    by: { step: 'load-dstate', claim: 'PSI io "some" grew' },
  },
  {
    id: 'vmstat-swap',
    said: 'vmstat: seeing if the system is under memory pressure (high swap usage).',
    source: 'seed 001:194',
    verdict: 'partly',
    truth:
      'si/so show swapping where there is swap; many servers and Kubernetes nodes have none, and then memory pressure shows as reclaim, OOM kills and PSI memory.',
    by: {
      cited: 'vmstat(8) "Swap"; Documentation/accounting/psi.rst',
      why: 'squeezing memory belongs to the containers topic (its memory cgroup); this machine has no swap',
    },
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
