// Steps: one per anomaly record (its variants inside), each test at every level on every server
// that answered, each cell asserted against the record.

import { type Step, type StepContext, step } from '../kit/define.ts';
import { ANOMALIES, type Anomaly, type Test } from './anomalies.ts';
import { LEVELS, SHORT } from './engines.ts';
import type { Env, Server } from './env.ts';
import type { Run } from './runner.ts';
import { cellOf, claimCells, errorTexts, timelineFigure } from './show.ts';

/** Every level of one test on one server (each run happens once per demo run). */
async function measureRow(env: Env, server: Server, x: Test): Promise<Run[]> {
  const runs: Run[] = [];
  for (const level of LEVELS) runs.push(await env.measure(server, x, level));
  return runs;
}

/** One run drawn as a timeline, with the full text of the errors it shortened. */
export function showRun(t: StepContext, server: Server, run: Run, sessions: Test['sessions']) {
  t.figure(timelineFigure(run.timeline, sessions, `${server.engine.label} at ${run.level}`));
  for (const [code, message] of errorTexts(run.timeline)) t.show(`ERROR ${code}`, message);
  t.show('seen', run.verdict.evidence);
}

async function showTest(t: StepContext, env: Env, x: Test): Promise<void> {
  t.say(`${x.id}, ${x.name}: ${x.idea}`);
  // The servers are independent, so their rows are measured at the same time.
  const rows = await Promise.all(env.servers.map((s) => measureRow(env, s, x)));
  const drawn = new Set<string>();
  env.servers.forEach((server, i) => {
    const runs = rows[i] as Run[];
    // One timeline per kind: the other version's runs are the same statements.
    if (!drawn.has(server.engine.kind)) {
      drawn.add(server.engine.kind);
      const shown = runs.find((r) => r.level === x.showcase[server.engine.kind]) as Run;
      showRun(t, server, shown, x.sessions);
    }
    t.show(server.engine.label, runs.map((r) => `${SHORT[r.level]}: ${cellOf(r)}`).join('   '));
    claimCells(t, server, x, runs);
  });
}

function anomalyStep(id: string): Step<Env> {
  const a = ANOMALIES.find((x) => x.id === id) as Anomaly;
  return step<Env>(
    { id: a.id.toLowerCase(), section: a.section, title: a.title },
    async (t, env) => {
      for (const x of [a, ...(a.variants ?? [])]) await showTest(t, env, x);
    },
  );
}

export const g0Step = anomalyStep('G0');
export const g1aStep = anomalyStep('G1a');
export const g1bStep = anomalyStep('G1b');
export const g1cStep = anomalyStep('G1c');
export const otvStep = anomalyStep('OTV');
export const pmpStep = anomalyStep('PMP');
export const pmpWriteStep = anomalyStep('PMP-write');
export const p4Step = anomalyStep('P4');
export const gSingleStep = anomalyStep('G-single');
export const g2ItemStep = anomalyStep('G2-item');
export const g2Step = anomalyStep('G2');
