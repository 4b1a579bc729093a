// A second Kafka cluster beside the shared one, for the end-to-end test and the bench: its own
// state folder under .cache/services/ and free ports found at run time, the jars shared.

import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONTROLLER_PORT_OFFSET,
  DEFAULT_DIR,
  defaultLayout,
  kafkaNodes,
  type Layout,
} from './layout.ts';
import { canBind } from './proc.ts';

/** Three consecutive client ports whose controller ports are free too. */
async function freeBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Controller ports (+10000) stay below Linux's ephemeral range (32768+).
    const base = 20_000 + Math.floor(Math.random() * 2_700);
    const ports = [0, 1, 2].flatMap((i) => [base + i, base + i + CONTROLLER_PORT_OFFSET]);
    if ((await Promise.all(ports.map((port) => canBind('127.0.0.1', port)))).every(Boolean))
      return base;
  }
  throw new Error('no free port range for an isolated Kafka cluster');
}

/** A layout for a cluster of its own; `prefix` names its state folder (e2e-, bench-). */
export async function isolatedLayout(
  prefix: string,
  libsDir = defaultLayout().libsDir,
): Promise<Layout> {
  const base = await freeBase();
  mkdirSync(DEFAULT_DIR, { recursive: true });
  return {
    dir: mkdtempSync(join(DEFAULT_DIR, prefix)),
    libsDir,
    kafkaNodes: kafkaNodes([0, 1, 2].map((i) => `127.0.0.1:${base + i}`)),
  };
}
