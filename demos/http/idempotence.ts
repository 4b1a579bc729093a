// Calling a method twice on the httpbin's /items and reading the collection around each call:
// what "idempotent" means, observed (RFC 9110 §9.2.2). The safe-and-idempotent step and the
// idempotent-put lab both read it.

import { type Reply, request } from './wire.ts';

export interface Twice {
  /** GET /items before, after the first call, after the second. */
  before: string;
  afterFirst: string;
  afterSecond: string;
  first: Reply;
  second: Reply;
}

/** `method path` twice against the server at `base`, with the collection read around each. */
export async function callTwice(
  base: string,
  method: string,
  path: string,
  body?: string,
): Promise<Twice> {
  const state = async () => (await request(`${base}/items`)).body;
  const headers = body ? { 'Content-Type': 'application/json' } : {};
  const before = await state();
  const first = await request(`${base}${path}`, { method, headers, body });
  const afterFirst = await state();
  const second = await request(`${base}${path}`, { method, headers, body });
  const afterSecond = await state();
  return { before, first, afterFirst, second, afterSecond };
}
