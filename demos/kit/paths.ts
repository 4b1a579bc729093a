// Where things are in the checkout: one module, so nothing imports the note reader to find the root.

import { fileURLToPath } from 'node:url';

/** The checkout's root, with a trailing slash. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** This checkout's own ignored cache (Node runtimes, per-run scratch files). */
export const CHECKOUT_CACHE = `${ROOT}.cache`;

export function notePath(topic: string): string {
  return `${ROOT}notes/${topic}.md`;
}

export function demoDir(topic: string): string {
  return `${ROOT}demos/${topic}`;
}
