// Vitest global setup: before any test file runs, make sure the services the demos need are up
// (the same ensure() as `npm run services -- up`). Instant when they already answer. Under
// CI=true a service that cannot be had is an error with the reason; elsewhere a warning, and the
// demos that need it report it themselves.

import { loadDemo, topicIds } from '../demos/kit/registry.ts';
import type { ServiceName } from '../demos/kit/services.ts';
import { ensure, SERVICES, type Service } from './api.ts';

async function neededServices(): Promise<Service[]> {
  const needs = new Set<ServiceName>();
  for (const id of topicIds()) {
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

export default async function setup(): Promise<void> {
  const wanted = await neededServices();
  if (!wanted.length) return;
  try {
    await ensure(wanted, { report: (line) => console.log(`[services] ${line}`) });
  } catch (err) {
    const message = `services the demos need (${wanted.join(', ')}) are not available: ${(err as Error).message}`;
    if (process.env.CI === 'true') throw new Error(message);
    console.warn(`[services] ${message}`);
  }
}
