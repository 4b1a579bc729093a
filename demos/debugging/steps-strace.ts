// strace: attach to a process that hangs and see the call it is in; follow children; count calls;
// and what it cannot see, the clock reads the vDSO serves in user space.

import { readFileSync } from 'node:fs';
import { arch } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { step } from '../kit/define.ts';
import { waitFor } from '../kit/wait.ts';
import { type Env, startTarget } from './env.ts';
import { statusField } from './proc.ts';
import { callCounts, PYTHON, pythonLoop, READ_SYSCALL, syscallNumber } from './strace.ts';
import { toolVersion } from './tools.ts';

export const straceAttachStep = step<Env>(
  {
    id: 'strace-attach',
    section: 'strace-what-a-process-asks-the-kernel',
    title: 'strace -p on a process hung in read(), -f into its children, -c to count',
    needs: ['root', 'strace'],
  },
  async (t, env) => {
    if (env.swept.length) t.say(`Removed what dead runs left: ${env.swept.join(', ')}.`);
    t.uses('strace', await toolVersion('strace'));
    const { p: reader } = await startTarget(env, ['reader'], /reading/);
    // The kernel already knows where it waits, before any tracer attaches. ("running" until the
    // target, which printed its ready line first, has entered the call.)
    const syscall = await waitFor('the reader to block in a system call', () => {
      const s = readFileSync(`/proc/${reader.pid}/syscall`, 'utf8');
      return s.startsWith('running') ? undefined : s;
    });
    const wchan = readFileSync(`/proc/${reader.pid}/wchan`, 'utf8');
    t.show('/proc/<pid>/syscall', `${syscall.trim().split(' ').slice(0, 4).join(' ')} …`);
    t.show('/proc/<pid>/wchan', wchan);
    const readNr = READ_SYSCALL[arch()];
    if (readNr !== undefined) {
      t.equal(
        `/proc/<pid>/syscall names the call it waits in without a tracer: read (${readNr} on ${arch()}), fd 0`,
        [syscallNumber(syscall), Number(syscall.split(' ')[1])],
        [readNr, 0],
      );
    }
    const tracer = env.sandbox.start('strace', ['-p', String(reader.pid)]);
    await tracer.waitFor(/read\(0, /);
    t.equal(
      "strace is a ptrace tracer: while attached, TracerPid in /proc/<pid>/status is strace's pid",
      statusField(reader.pid, 'TracerPid'),
      String(tracer.pid),
    );
    reader.write('hello\n');
    const { stderr } = await tracer.exited;
    const trace = stderr.split('\n');
    t.block(trace.filter((l) => /attached|^read\(|^write\(1|\+\+\+/.test(l)));
    t.match(
      'strace -p attaches to the running process and shows the read(0, … it is blocked in',
      trace.slice(0, 3).join('\n'),
      /Process \d+ attached\n(read\(0, "hello\\n", 100\)\s+= 6|read\(0,)/,
    );
    t.check(
      'when data arrives the same read returns it: read(0, "hello\\n", 100) = 6',
      trace.some(
        (l) => /read\(0, "hello\\n", 100\)\s+= 6/.test(l) || /"hello\\n", 100\)\s+= 6/.test(l),
      ),
      trace.slice(0, 4).join(' | '),
    );

    const script = 'ls /nonexistent-wirenotes; true';
    const plain = await env.sandbox.run('strace', [
      '-qq',
      '-e',
      'trace=execve',
      'sh',
      '-c',
      script,
    ]);
    const follow = await env.sandbox.run('strace', [
      '-f',
      '-qq',
      '-e',
      'trace=execve',
      'sh',
      '-c',
      script,
    ]);
    const execs = (s: string) => s.split('\n').filter((l) => l.includes('execve('));
    t.block(['$ strace -f -e trace=execve sh -c …', ...execs(follow.stderr)]);
    t.equal(
      "without -f strace sees only the shell's own execve, not the child it starts",
      execs(plain.stderr).length,
      1,
    );
    t.check(
      "with -f it follows the fork: the child's execve of ls carries its pid, [pid N]",
      execs(follow.stderr).some((l) => /^\[pid\s+\d+\] execve\("[^"]*\/ls"/.test(l)),
      execs(follow.stderr).join(' | '),
    );

    const n = 500;
    const counted = await env.sandbox.run('strace', [
      '-c',
      '-f',
      PYTHON,
      ...pythonLoop('os.getppid()', n),
    ]);
    const counts = callCounts(counted.stderr);
    t.block(counted.stderr.split('\n').filter((l) => /calls|getppid|total/.test(l)));
    t.equal(
      `strace -c counts the calls: getppid ${n}× in the loop → ${n} in the table`,
      counts.get('getppid'),
      n,
    );
  },
);

export const straceVdsoStep = step<Env>(
  {
    id: 'strace-vdso',
    section: 'what-strace-cannot-see-the-vdso',
    title: 'Clock reads served by the vDSO never reach strace; tracing makes syscalls slow',
    needs: ['strace', 'python3'],
  },
  async (t, env) => {
    const n = 1000;
    const trace = ['-f', '-qq', '-c', '-e', 'trace=clock_gettime,gettimeofday,time'];
    const vdso = await env.sandbox.run('strace', [
      ...trace,
      PYTHON,
      ...pythonLoop('time.time(); time.monotonic()', n),
    ]);
    const cpu = await env.sandbox.run('strace', [
      ...trace,
      PYTHON,
      ...pythonLoop('time.process_time()', n),
    ]);
    const clock = readFileSync(
      '/sys/devices/system/clocksource/clocksource0/current_clocksource',
      'utf8',
    ).trim();
    t.show('clocksource', clock);
    const fast = callCounts(vdso.stderr);
    const slow = callCounts(cpu.stderr);
    t.table(
      ['Python loop (1000×)', 'clock syscalls strace saw'],
      [
        ['time.time(); time.monotonic()  (CLOCK_REALTIME, CLOCK_MONOTONIC)', sum(fast)],
        ['time.process_time()  (CLOCK_PROCESS_CPUTIME_ID)', sum(slow)],
      ],
    );
    t.equal(
      `${2 * n} reads of the wall and monotonic clocks make no syscall at all: the vDSO answers in user space`,
      sum(fast),
      0,
    );
    t.check(
      `the same loop reading the process CPU clock makes ≥ ${n} clock_gettime syscalls (not in the vDSO)`,
      (slow.get('clock_gettime') ?? 0) >= n,
      `clock_gettime ${slow.get('clock_gettime') ?? 0}`,
    );

    // The cost of tracing: each traced syscall stops the process twice. Shown, never asserted.
    const loop = pythonLoop('os.getppid()', 100_000);
    const timed = async (cmd: string, args: string[]) => {
      const start = performance.now();
      await env.sandbox.run(cmd, args);
      return performance.now() - start;
    };
    const bare = await timed(PYTHON, loop);
    const traced = await timed('strace', [
      '-f',
      '-qq',
      '-o',
      join(env.dir, 'overhead.trace'),
      PYTHON,
      ...loop,
    ]);
    t.show(
      '100 000 getppid() calls',
      `${bare.toFixed(0)} ms untraced, ${traced.toFixed(0)} ms under strace (${(traced / bare).toFixed(1)}× slower on this run; npm run bench -- debugging measures it)`,
    );
  },
);

function sum(counts: Map<string, number>): number {
  return [...counts.values()].reduce((a, b) => a + b, 0);
}
