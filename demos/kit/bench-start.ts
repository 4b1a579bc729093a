// The cost of a whole demo next to the cost of starting tsx at all, measured alternately.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alternate, median, ms, runCommand } from './bench.ts';

export async function demoVersusBareStart(
  topic: string,
  rounds: number,
  report: (line: string) => void,
): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'wirenotes-bench-'));
  const empty = join(dir, 'empty.ts');
  writeFileSync(empty, '');
  try {
    const [demo = [], bare = []] = await alternate(rounds, [
      () => runCommand('npx', ['tsx', `demos/${topic}`, '--no-color']),
      () => runCommand('npx', ['tsx', empty]),
    ]);
    const ratio = median(demo) / median(bare);
    report(`npx tsx demos/${topic}: median ${ms(median(demo))} over ${rounds} runs`);
    report(`npx tsx <empty file>: median ${ms(median(bare))} over ${rounds} runs`);
    report(`ratio: ${ratio.toFixed(2)}×`);
    return ratio;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
