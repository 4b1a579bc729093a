import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { down, startNode, stopNode, up } from './api.ts';
import { DEFAULT_DIR, defaultLayout, kafkaNodes } from './layout.ts';

const base = 21100;
const layout = {
  dir: mkdtempSync(join(DEFAULT_DIR, 'exp-')),
  libsDir: defaultLayout().libsDir,
  kafkaNodes: kafkaNodes([0, 1, 2].map((i) => `127.0.0.1:${base + i}`)),
};
const t = async (label: string, fn: () => Promise<unknown>) => {
  const s = performance.now();
  await fn();
  console.log(label, ((performance.now() - s) / 1000).toFixed(1));
};
try {
  await t('up', () =>
    up(['kafka'], { layout, mode: 'native', report: (l) => console.log(' ', l) }),
  );
  for (let i = 0; i < 2; i++) {
    await t('stop kafka-2', () => stopNode('kafka-2', { layout }));
    await t('start kafka-2', () => startNode('kafka-2', { layout }));
  }
  await t('down', () => down(['kafka'], { layout }));
} finally {
  await down(['kafka'], { layout });
  console.log(layout.dir);
}
