// `npm run bench -- tls`: how long the run-time PKI takes (EC P-256 CAs and leaves, the keys
// this demo uses, next to what RSA 2048 keys would cost), and the whole demo against a bare
// `npx tsx` start of an empty file, alternated in one run.

import { generateKeyPair } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { alternate, type Bench, median, ms, runCommand } from '../kit/bench.ts';
import { buildPki } from './pki.ts';

const PKI_ROUNDS = 7;
const RSA_ROUNDS = 5;
const RUN_ROUNDS = 3;
const generate = promisify(generateKeyPair);

export const bench: Bench = {
  title: 'tls: certificate generation, and the whole demo vs a bare `npx tsx` start',
  run: async (report) => {
    const keys: number[] = [];
    const certs: number[] = [];
    for (let i = 0; i < PKI_ROUNDS; i++) {
      const pki = await buildPki('http://127.0.0.1:9');
      keys.push(pki.ms.keys);
      certs.push(pki.ms.certs);
    }
    report(
      `PKI (4 EC P-256 keys, 9 certificates), median of ${PKI_ROUNDS}: keys ${ms(median(keys))}, ` +
        `certificates ${ms(median(certs))}`,
    );
    const rsa: number[] = [];
    for (let i = 0; i < RSA_ROUNDS; i++) {
      const start = performance.now();
      await generate('rsa', { modulusLength: 2048 });
      rsa.push(performance.now() - start);
    }
    report(
      `one RSA 2048 key, for comparison: median ${ms(median(rsa))}, ` +
        `range ${ms(Math.min(...rsa))}–${ms(Math.max(...rsa))}`,
    );

    const dir = mkdtempSync(join(tmpdir(), 'wirenotes-tls-bench-'));
    try {
      const empty = join(dir, 'empty.ts');
      writeFileSync(empty, '');
      const [bare, whole] = await alternate(RUN_ROUNDS, [
        () => runCommand('npx', ['tsx', empty]),
        () => runCommand('npx', ['tsx', 'demos/tls'], { NO_COLOR: '1' }),
      ]);
      const b = median(bare as number[]);
      const w = median(whole as number[]);
      report(`bare \`npx tsx\` of an empty file: ${ms(b)} (median of ${RUN_ROUNDS})`);
      report(`\`npx tsx demos/tls\`, every step: ${ms(w)} (median of ${RUN_ROUNDS})`);
      report(`ratio demo / bare start: ${(w / b).toFixed(2)}× (target ≤ 2×)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
