// The first minute on an unknown box: the checklist the note recommends (triage.ts, also the
// `triage` subcommand) run against problems this demo stages itself, finding each one.

import { step } from '../kit/define.ts';
import { fullInodeTable } from './disk.ts';
import { type Env, startTarget } from './env.ts';
import { lines } from './tools.ts';
import { type Finding, findingLine, triage } from './triage.ts';

/** The C locale: top and pidstat print decimal points and the column layout parsed here. */
const C = { env: { ...process.env, LC_ALL: 'C' } };

function finding(all: Finding[], check: string): Finding | undefined {
  return all.find((f) => f.check === check);
}

export const firstMinuteStep = step<Env>(
  {
    id: 'first-minute',
    section: 'the-first-minute-on-an-unknown-box',
    title: 'The first-minute checklist finds a runaway process, a full inode table, a stray port',
    needs: ['sysstat', 'loop-devices'],
  },
  async (t, env) => {
    const { p: runaway } = await startTarget(env, ['burn'], /burning/);
    const { p: stray, m } = await startTarget(env, ['listen'], /listening (\d+)/);
    const port = Number(m[1]);
    const full = await fullInodeTable(env, 'full');
    t.say(
      `Staged: a runaway loop (pid ${runaway.pid}), a stray listener on port ${port} (pid ${stray.pid}), ` +
        `and a filesystem whose inode table is full (${full.created} files, then ${full.code}).`,
    );
    t.waiting('2 s of CPU sampling');
    const found = await triage(2000);
    t.block(found.flatMap((f) => findingLine(f).split('\n')));
    const cpu = finding(found, 'cpu');
    t.check(
      'the cpu check names the runaway: runnable at every snapshot, whatever its share on a busy box',
      cpu?.items?.some((i) => i.pid === runaway.pid) === true && cpu.level === 'warn',
      cpu?.summary,
    );
    // The same runaway through the classic tools: top's state column and pidstat's %CPU.
    const top = await env.sandbox.run(
      'top',
      ['-b', '-n', '2', '-d', '0.5', '-p', String(runaway.pid)],
      C,
    );
    const topRow = lines(top.stdout)
      .filter((l) => l.trim().startsWith(`${runaway.pid} `))
      .at(-1);
    const pidstat = await env.sandbox.run('pidstat', ['-p', String(runaway.pid), '1', '1'], C);
    const average = lines(pidstat.stdout).find((l) => l.startsWith('Average:'));
    t.block([
      '$ top -b -n 2 -d 0.5 -p <pid>',
      topRow ?? '',
      '$ pidstat -p <pid> 1 1',
      average ?? '',
    ]);
    t.equal(
      'top shows the runaway in state R (its S column), running or waiting for a CPU',
      topRow?.trim().split(/\s+/)[7],
      'R',
    );
    t.check(
      'pidstat -p <pid> reports the CPU share it got over the interval',
      Number(average?.split(/\s+/)[7]) > 0,
      average,
    );
    const inodes = finding(found, 'inodes');
    t.check(
      'the inodes check (df -i) names the filesystem at 100 %, which df -h alone would not flag',
      inodes?.items?.some((i) => i.mount === full.mount && i.use === 100) === true &&
        !finding(found, 'disk')?.items?.some((i) => i.mount === full.mount),
      inodes?.summary,
    );
    const ports = finding(found, 'ports');
    t.check(
      'the ports check lists the stray listener with its pid, the process to ask about',
      ports?.items?.some((i) => i.port === port && i.pid === stray.pid) === true,
      ports?.summary,
    );
  },
);
