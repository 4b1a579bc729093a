// Lab: a service that dies at start with "config not found" and no path. The learner writes the
// strace invocation; the check runs the debugging demo's own target program under it (a service
// whose worker, a child process, reads a file of a random name) and reads the trace with the
// demo's strace parsers: openat lines, the worker's failed open, the status passed through.

import { join } from 'node:path';
import { defineLab } from '../../../kit/lab.ts';
import { labEnv, shipped } from '../../env.ts';
import { callLines, failedOn } from '../../strace.ts';
import { toolVersion } from '../../tools.ts';

export const lab = defineLab(import.meta.url, {
  id: 'strace-open',
  title: '"config not found", and not a word of where',
  task: 'A service dies at start with only "config not found": make trace.sh run a command so that you see every file it tries to open, and what the kernel answered.',
  section: 'strace-what-a-process-asks-the-kernel',
  files: ['trace.sh'],
  needs: ['root', 'strace'],
  timeoutMs: 30_000,
  startFails: 'the trace shows the openat calls',
  check: async (t, dir) => {
    const env = await labEnv(t);
    t.uses('strace', await toolVersion('strace'));
    // A name nobody can guess: only a trace can tell where the worker looked.
    const config = join(env.dir, `conf-${Math.random().toString(36).slice(2, 8)}`, 'app.conf');
    const run = await env.sandbox.run('sh', [
      `${dir}/trace.sh`,
      process.execPath,
      shipped('target.mjs'),
      'service',
      config,
    ]);
    const trace = `${run.stdout}\n${run.stderr}`;
    const opens = callLines(trace, 'openat');
    const missing = failedOn(opens, config, 'ENOENT');
    t.block([
      `$ sh trace.sh node target.mjs service <config> → exit ${run.code ?? run.signal}`,
      ...(missing.length ? missing : opens.slice(-3)).map((l) => `  ${l.slice(0, 160)}`),
      ...run.stdout
        .split('\n')
        .filter((l) => /config not found|worker exited/.test(l))
        .map((l) => `  ${l}`),
    ]);
    t.check(
      'the trace shows the openat calls (how glibc opens a file)',
      opens.length > 0,
      `${opens.length} openat lines; the output ends: ${trace.trim().split('\n').slice(-2).join(' | ')}`,
    );
    t.check(
      "the trace follows the worker the service forks: the worker's open of its config fails with ENOENT",
      missing.length > 0,
      `no failed openat of the config among ${opens.length} openat lines`,
    );
    t.equal("the service's exit status comes through trace.sh unchanged: 1", run.code, 1);
  },
  hints: [
    {
      claim: 'the trace shows the openat calls',
      ladder: [
        'No openat line reached the output: the command ran untraced, or the trace left out the call that opens files.',
        'strace(1) prints each system call a process makes, on stderr; `-e trace=NAME` narrows it to the calls you name.',
        "There is no open(2) call to see on x86-64 or arm64 today: glibc's open() and fopen() make the openat(2) system call, so `-e trace=open` shows nothing. Trace `openat` (or the class `%file`).",
      ],
    },
    {
      claim: 'the trace follows the worker the service forks',
      ladder: [
        "The trace shows the service's own opens but not the failing one: the config is read by the worker process it starts.",
        'strace traces only the process it starts unless told to follow the ones it creates (fork, vfork, clone): `-f` (strace(1)). Their lines then begin with `[pid N]`.',
      ],
    },
    {
      claim: "the service's exit status comes through trace.sh unchanged",
      ladder: [
        'trace.sh ended with another status than the service: a supervisor or CI step reading it would be told something else.',
        "strace exits with the traced command's status. A pipeline (`… 2>&1 | grep …`) exits with its last command's status; `exec strace …` leaves the shell out of it.",
      ],
    },
  ],
  wrong: [
    {
      case: 'trace-open',
      fails: 'the trace shows the openat calls',
      why: 'glibc opens files with the openat syscall: a trace of open shows nothing',
    },
    {
      case: 'no-follow',
      fails: 'the trace follows the worker the service forks',
      why: 'without -f strace sees only the first process, not the worker that reads the config',
    },
    {
      case: 'grep',
      fails: "the service's exit status comes through trace.sh unchanged",
      why: "piping the trace into grep gives trace.sh grep's exit status, 0, instead of the service's 1",
    },
  ],
});
