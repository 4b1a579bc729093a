// `npm run bench [topic…]`: runs demos/<topic>/bench.ts and services/bench.ts, each exporting `bench`.

import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Bench } from './bench.ts';
import { ROOT } from './paths.ts';
import { topicIds } from './registry.ts';

const wanted = process.argv.slice(2);
const candidates = [
  ...topicIds().map((id) => ({ id, file: `${ROOT}demos/${id}/bench.ts` })),
  { id: 'services', file: `${ROOT}services/bench.ts` },
  // Only when asked for by name: it runs every other bench's demos again.
  { id: 'suite', file: `${ROOT}demos/kit/suite-bench.ts` },
];
const unknown = wanted.filter((w) => !candidates.some((c) => c.id === w));
if (unknown.length) {
  console.error(
    `bench: unknown topic "${unknown[0]}" (known: ${candidates.map((c) => c.id).join(', ')})`,
  );
  process.exit(2);
}
for (const c of candidates) {
  const picked = wanted.length ? wanted.includes(c.id) : c.id !== 'suite';
  if (!picked || !existsSync(c.file)) continue;
  const { bench } = (await import(pathToFileURL(c.file).href)) as { bench: Bench };
  console.log(`\n${bench.title}`);
  await bench.run((line) => console.log(`  ${line}`));
}
