// `npm run bench [name…]`: runs demos/<topic>/bench.ts and services/bench.ts, each exporting `bench`.

import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Bench } from './bench.ts';
import { ROOT } from './paths.ts';
import { topicIds } from './registry.ts';
import { fold, WIDTH } from './text.ts';

const candidates = [
  ...topicIds().map((id) => ({ id, file: `${ROOT}demos/${id}/bench.ts` })),
  { id: 'services', file: `${ROOT}services/bench.ts` },
  // Only when asked for by name: it runs every other bench's demos again.
  { id: 'suite', file: `${ROOT}demos/kit/suite-bench.ts` },
];
const names = candidates.map((c) => c.id).join(', ');

const HELP = [
  'Usage: npm run bench [-- <name>…]',
  'Measures what the tests never assert: times, mostly as the ratio of two commands measured',
  'in one run (a demo against a bare `npx tsx` start, say).',
  ...fold(`Names: ${names}. With none, every bench but suite (the whole suite, warm).`, WIDTH),
  'Exit status: 0 done, 2 an unknown name.',
];

async function main(wanted: string[]): Promise<number> {
  if (wanted.includes('--help') || wanted.includes('-h')) {
    for (const line of HELP) console.log(line);
    return 0;
  }
  const unknown = wanted.find((w) => !candidates.some((c) => c.id === w));
  if (unknown !== undefined) {
    console.error(`bench: unknown bench "${unknown}" (known: ${names})`);
    return 2;
  }
  for (const c of candidates) {
    const picked = wanted.length ? wanted.includes(c.id) : c.id !== 'suite';
    if (!picked || !existsSync(c.file)) continue;
    const { bench } = (await import(pathToFileURL(c.file).href)) as { bench: Bench };
    console.log(`\n${bench.title}`);
    await bench.run((line) => console.log(`  ${line}`));
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
