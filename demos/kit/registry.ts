// Finds the demos: every folder under demos/ (but the kit) with a demo.ts exporting `demo`.

import { existsSync, readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Demo } from './define.ts';
import { ROOT } from './paths.ts';

export function topicIds(): string[] {
  return readdirSync(`${ROOT}demos`, { withFileTypes: true })
    .filter(
      (d) => d.isDirectory() && d.name !== 'kit' && existsSync(`${ROOT}demos/${d.name}/demo.ts`),
    )
    .map((d) => d.name)
    .sort();
}

export async function loadDemo(id: string): Promise<Demo<unknown>> {
  const mod = (await import(pathToFileURL(`${ROOT}demos/${id}/demo.ts`).href)) as {
    demo?: Demo<unknown>;
  };
  if (!mod.demo) throw new Error(`demos/${id}/demo.ts does not export \`demo\``);
  return mod.demo;
}

export async function loadDemos(): Promise<Demo<unknown>[]> {
  return Promise.all(topicIds().map(loadDemo));
}
