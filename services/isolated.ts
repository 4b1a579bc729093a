// A second Kafka cluster beside the shared one, for the tests and the bench: its own state folder
// (a scratch folder, never the per-user state) and free ports found at run time, the jars shared.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTROLLER_PORT_OFFSET, kafkaLibsDir, kafkaNodes, type Layout } from './layout.ts';
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

/** A fresh scratch folder for a test's or the bench's own state. */
export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `wirenotes-${prefix}`));
}

/** A layout for a cluster of its own; `prefix` names its state folder (e2e-, bench-). */
export async function isolatedLayout(prefix: string, libsDir = kafkaLibsDir()): Promise<Layout> {
  const base = await freeBase();
  return {
    dir: scratchDir(prefix),
    libsDir,
    kafkaNodes: kafkaNodes([0, 1, 2].map((i) => `127.0.0.1:${base + i}`)),
  };
}
