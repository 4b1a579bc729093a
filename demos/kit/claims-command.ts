// `npx tsx demos claims [topic…]`: the claims ledger with live verdicts. It runs the steps that
// decide the entries (the same steps, the same session as the demo) and prints, per entry, what
// people say, the verdict, the truth, and whether the deciding claim held on this machine just now.
// `--write-notes` renders each note's "Common mistakes" and version table from the records.

import { readFileSync, writeFileSync } from 'node:fs';
import { parseOptions, UsageError } from './args.ts';
import type { CliIO } from './cli.ts';
import type { ClaimResult } from './context.ts';
import type { Demo } from './define.ts';
import { describeMissing } from './endpoints.ts';
import { isDecided, type LedgerEntry, proofText, renderMistakes } from './ledger.ts';
import { renderNeedsTable } from './needs-table.ts';
import { replaceMarkedBlock } from './notes.ts';
import { notePath, ROOT } from './paths.ts';
import { loadDemos } from './registry.ts';
import { DemoSession, MissingServices, SetupFailed } from './run.ts';
import { wrap } from './text.ts';
import { renderVersionTable } from './versions.ts';

const CLAIMS_HELP = [
  'Usage: npx tsx demos claims [topic…] [--json] [--no-color]',
  '       npx tsx demos claims --write-notes',
  '',
  'The claims ledger: what people say about each topic (the seed notes, interview lore), the',
  'verdict, one sentence of truth, and the step claim that decides it, run live on this machine.',
  '  --json          one object: {ok, topics: [{topic, entries: [{id, said, verdict, status}]}]}',
  '  --write-notes   render every note\'s "Common mistakes" and version table, and the README\'s',
  '                  table of needs, from the records',
  'Exit status: 0 every verdict confirmed live, 1 one was not, 2 bad usage or a missing service.',
];

type EntryStatus = 'confirmed' | 'contradicted' | 'cited' | 'not run';

interface EntryReport {
  id: string;
  said: string;
  source: string;
  verdict: LedgerEntry['verdict'];
  truth: string;
  proof: string;
  status: EntryStatus;
  claim?: ClaimResult;
}

interface TopicReport {
  topic: string;
  entries: EntryReport[];
  /** Why the deciding steps could not run (a missing service, a failed setup). */
  problem?: string;
}

async function decide(demo: Demo<unknown>): Promise<TopicReport> {
  const steps = [...new Set(demo.ledger.flatMap((e) => (isDecided(e.by) ? [e.by.step] : [])))];
  const claims = new Map<string, ClaimResult[]>();
  let problem: string | undefined;
  const session = new DemoSession(demo, { only: steps, ci: process.env.CI === 'true' });
  try {
    const result = steps.length ? await session.runAll() : undefined;
    for (const r of result?.steps ?? []) {
      claims.set(r.id, r.claims);
      if (r.skipped) problem ??= `step ${r.id} skipped: ${r.skipped}`;
      if (r.error) problem ??= `step ${r.id}: ${r.error.split('\n')[0]}`;
    }
  } catch (err) {
    if (err instanceof MissingServices) problem = err.statuses.map(describeMissing).join('; ');
    else if (err instanceof SetupFailed) problem = err.message;
    else throw err;
  }
  const entries = demo.ledger.map((e): EntryReport => {
    const base = {
      id: e.id,
      said: e.said,
      source: e.source,
      verdict: e.verdict,
      truth: e.truth,
      proof: proofText(e.by),
    };
    if (!isDecided(e.by)) return { ...base, status: 'cited' };
    const prefix = e.by.claim;
    const claim = claims.get(e.by.step)?.find((c) => c.text.startsWith(prefix));
    if (!claim) return { ...base, status: 'not run' };
    return { ...base, status: claim.ok ? 'confirmed' : 'contradicted', claim };
  });
  return problem ? { topic: demo.id, entries, problem } : { topic: demo.id, entries };
}

function writeNotes(demos: Demo<unknown>[], io: CliIO): number {
  for (const demo of demos) {
    const path = notePath(demo.id);
    let text = readFileSync(path, 'utf8');
    text = replaceMarkedBlock(text, 'ledger', renderMistakes(demo.ledger));
    if (demo.versions.length) {
      text = replaceMarkedBlock(text, 'versions', renderVersionTable(demo.versions));
    }
    writeFileSync(path, text);
    io.out(
      `notes/${demo.id}.md: ${demo.ledger.length} ledger entries, ${demo.versions.length} version facts`,
    );
  }
  const readme = `${ROOT}README.md`;
  writeFileSync(
    readme,
    replaceMarkedBlock(readFileSync(readme, 'utf8'), 'needs', renderNeedsTable(demos)),
  );
  io.out('README.md: the table of needs');
  return 0;
}

const MARK: Record<EntryStatus, string> = {
  confirmed: '✓',
  contradicted: '✗',
  cited: '·',
  'not run': '–',
};

function print(reports: TopicReport[], io: CliIO): void {
  const { paint } = io.style;
  const colour = {
    confirmed: 'green',
    contradicted: 'red',
    cited: 'dim',
    'not run': 'yellow',
  } as const;
  for (const r of reports) {
    io.out('');
    io.out(paint('bold', `${r.topic}: ${r.entries.length} claims people make`));
    if (r.problem) io.out(paint('yellow', `   could not run the deciding steps: ${r.problem}`));
    for (const e of r.entries) {
      const head = `${MARK[e.status]} "${e.said}" — ${e.verdict} (${e.source})`;
      io.out(`   ${paint(colour[e.status], head)}`);
      for (const l of wrap(
        `${e.truth} ${e.status === 'cited' ? e.proof : `[${e.proof}]`}`,
        100,
        '     ',
      ))
        io.out(paint('dim', l));
      if (e.status === 'contradicted' && e.claim) {
        io.out(
          paint(
            'red',
            `     the deciding claim did not hold: ${e.claim.actual ?? e.claim.detail ?? ''}`,
          ),
        );
      }
    }
  }
}

export async function claimsCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOptions(argv, {
    help: { type: 'boolean', short: 'h' },
    json: { type: 'boolean' },
    'write-notes': { type: 'boolean' },
    'no-color': { type: 'boolean' },
  });
  if (values.help) {
    for (const l of CLAIMS_HELP) io.out(l);
    return 0;
  }
  const all = await loadDemos();
  const unknown = positionals.filter((p) => !all.some((d) => d.id === p));
  if (unknown.length) {
    throw new UsageError(
      `unknown topic "${unknown[0]}" (topics: ${all.map((d) => d.id).join(', ')})`,
    );
  }
  const demos = positionals.length ? all.filter((d) => positionals.includes(d.id)) : all;
  if (values['write-notes']) return writeNotes(demos, io);
  const reports: TopicReport[] = [];
  for (const demo of demos) reports.push(await decide(demo));
  const entries = reports.flatMap((r) => r.entries);
  const count = (s: EntryStatus) => entries.filter((e) => e.status === s).length;
  const ok = count('contradicted') === 0 && count('not run') === 0;
  if (values.json) {
    io.out(JSON.stringify({ ok, topics: reports }, null, 2));
  } else {
    print(reports, io);
    io.out('');
    io.out(
      `${count('confirmed')} confirmed live, ${count('contradicted')} contradicted, ` +
        `${count('cited')} cited, ${count('not run')} not run`,
    );
  }
  if (count('contradicted')) return 1;
  return count('not run') ? 2 : 0;
}
