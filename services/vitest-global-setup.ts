// Vitest global setup: before any test file runs, make sure the services the selected demos need
// are up (the same ensure() as `npm run services -- up`). Instant when they already answer. Under
// CI=true a service that cannot be had is an error with the reason; elsewhere a warning, and the
// demos that need it report it themselves. Test files under services/ ensure what they use.

import { readdirSync } from 'node:fs';
import { ROOT } from '../demos/kit/paths.ts';
import { loadDemo, topicIds } from '../demos/kit/registry.ts';
import type { ServiceName } from '../demos/kit/services.ts';
import { ensure, SERVICES, type Service } from './api.ts';

/** The file filters given on the command line (`vitest run demos/http`), if vitest exposes them. */
function filters(context: unknown): string[] {
  const pattern = (context as { vitest?: { filenamePattern?: unknown } } | undefined)?.vitest
    ?.filenamePattern;
  return Array.isArray(pattern) ? pattern.filter((f): f is string => typeof f === 'string') : [];
}

/** Topics with a test file that the filters select (vitest matches filters as substrings). */
function selectedTopics(wanted: string[]): string[] {
  if (!wanted.length) return topicIds();
  return topicIds().filter((id) =>
    readdirSync(`${ROOT}demos/${id}`)
      .filter((f) => f.endsWith('.test.ts'))
      .some((f) => wanted.some((w) => `${ROOT}demos/${id}/${f}`.includes(w.replace(/^\.\//, '')))),
  );
}

async function neededServices(topics: string[]): Promise<Service[]> {
  const needs = new Set<ServiceName>();
  for (const id of topics) {
    try {
      const demo = await loadDemo(id);
      for (const n of demo.needs) needs.add(n);
      for (const s of demo.steps) for (const n of s.needs) needs.add(n);
    } catch (err) {
      // That demo's own test file will fail with the import error; the others still need services.
      console.warn(`[services] could not load demos/${id}: ${(err as Error).message}`);
    }
  }
  return SERVICES.filter((s) => needs.has(s));
}

export default async function setup(project?: unknown): Promise<void> {
  const wanted = await neededServices(selectedTopics(filters(project)));
  if (!wanted.length) return;
  try {
    await ensure(wanted, { report: (line) => console.log(`[services] ${line}`) });
  } catch (err) {
    const message = `services the demos need (${wanted.join(', ')}) are not available: ${(err as Error).message}`;
    if (process.env.CI === 'true') throw new Error(message);
    console.warn(`[services] ${message}`);
  }
}
