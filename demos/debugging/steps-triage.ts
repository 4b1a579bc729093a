// The first minute on an unknown box: the checklist the note recommends (triage.ts, also the
// `triage` subcommand) run against problems this demo stages itself, finding each one.

import { step } from '../kit/define.ts';
import { type Env, startTarget } from './env.ts';
import { type Finding, findingLine, triage } from './triage.ts';

function finding(all: Finding[], check: string): Finding | undefined {
  return all.find((f) => f.check === check);
}

export const firstMinuteStep = step<Env>(
  {
    id: 'first-minute',
    section: 'the-first-minute-on-an-unknown-box',
    title: 'The first-minute checklist finds a runaway process and a port held by a stray',
  },
  async (t, env) => {
    const { p: runaway } = await startTarget(env, ['burn'], /burning/);
    const { p: stray, m } = await startTarget(env, ['listen'], /listening (\d+)/);
    const port = Number(m[1]);
    t.say(
      `Staged: a runaway loop (pid ${runaway.pid}), a stray listener on port ${port} (pid ${stray.pid}).`,
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
    const ports = finding(found, 'ports');
    t.check(
      'the ports check lists the stray listener with its pid, the process to ask about',
      ports?.items?.some((i) => i.port === port && i.pid === stray.pid) === true,
      ports?.summary,
    );
  },
);
