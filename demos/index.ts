// `npx tsx demos`: every demo, what it needs, and whether that is reachable right now.

import { parseOptions, UsageError } from './kit/args.ts';
import { loadDemos } from './kit/registry.ts';
import { probeAll } from './kit/services.ts';
import { colorWanted, makeStyle } from './kit/style.ts';
import { padTable } from './kit/table.ts';

async function listDemos(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, {
    help: { type: 'boolean', short: 'h' },
    'no-color': { type: 'boolean' },
  });
  if (positionals.length)
    throw new UsageError(
      `unexpected argument "${positionals[0]}"; run a demo with npx tsx demos/<topic>`,
    );
  if (values.help) {
    console.log(
      'Usage: npx tsx demos [--no-color]\nLists the demos, the services each needs, and whether they are reachable.',
    );
    console.log(
      'Run one with `npx tsx demos/<topic>`; `npx tsx demos/<topic> --help` for its flags.',
    );
    return 0;
  }
  const { paint } = makeStyle(colorWanted(process.stdout, values['no-color'] === true));
  const demos = await loadDemos();
  const needed = demos.flatMap((d) => [...d.needs, ...d.steps.flatMap((s) => s.needs)]);
  const status = new Map((await probeAll(needed)).map((s) => [s.name, s]));
  const rows = demos.map((d) => {
    const needs = [...new Set([...d.needs, ...d.steps.flatMap((s) => s.needs)])];
    const missing = needs.filter((n) => !status.get(n)?.ok);
    const ready = missing.length ? `missing ${missing.join(', ')}` : 'ready';
    return [`demos/${d.id}`, d.title, needs.join(', ') || '—', ready];
  });
  for (const line of padTable(['demo', 'title', 'needs', 'status'], rows)) {
    console.log(
      line
        .replace(/missing [\w, ]+/, (m) => paint('yellow', m))
        .replace(/\bready\b/, (m) => paint('green', m)),
    );
  }
  const missing = [...status.values()].filter((s) => !s.ok);
  if (missing.length) console.log('');
  for (const s of missing) console.log(`${s.name}: ${s.problem} — ${s.hint}`);
  return 0;
}

listDemos(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof UsageError ? `demos: ${err.message}` : err);
    process.exitCode = 2;
  },
);
