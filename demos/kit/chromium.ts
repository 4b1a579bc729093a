// Debian's Chromium driven by playwright-core: headless, a throwaway profile, and the flags that
// keep it from reaching out to the network (this machine has none, and demos must not need one).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { endpoints } from './endpoints.ts';

const QUIET_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Chromium with its own profile folder, removed again by close(). */
export async function launchChromium(extraArgs: string[] = []): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), 'wirenotes-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: endpoints.chromiumPath,
      headless: true,
      args: [...QUIET_FLAGS, ...extraArgs],
    });
    return {
      context,
      close: async () => {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
}
