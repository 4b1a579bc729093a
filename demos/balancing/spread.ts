// The spread counter: N requests in a row, and how many each backend answered. The backend is
// the body's first line (the demo's backends answer with their id) or a response header's value.

import { type RequestOptions, send } from './client.ts';

export type Grouping = { kind: 'body' } | { kind: 'header'; name: string };

export interface Spread {
  /** Requests per backend, in the order backends first answered. */
  counts: Map<string, number>;
  /** Who answered each request, in order. */
  order: string[];
  /** Statuses other than 2xx/3xx, counted. */
  failures: Map<number, number>;
}

/** The backend a response names under `by` ("(none)" when the header is missing). */
function backendOf(
  reply: { firstLine: string; headers: Record<string, string | string[] | undefined> },
  by: Grouping,
): string {
  if (by.kind === 'body') return reply.firstLine;
  const value = reply.headers[by.name.toLowerCase()];
  return (Array.isArray(value) ? value.join(',') : value) ?? '(none)';
}

export async function spread(
  url: string,
  n: number,
  by: Grouping = { kind: 'body' },
  options: (i: number) => RequestOptions = () => ({}),
): Promise<Spread> {
  const result: Spread = { counts: new Map(), order: [], failures: new Map() };
  for (let i = 0; i < n; i++) {
    const reply = await send(url, options(i));
    if (reply.status >= 400) {
      result.failures.set(reply.status, (result.failures.get(reply.status) ?? 0) + 1);
      result.order.push(`(${reply.status})`);
      continue;
    }
    const backend = backendOf(reply, by);
    result.counts.set(backend, (result.counts.get(backend) ?? 0) + 1);
    result.order.push(backend);
  }
  return result;
}

/** The counts for `ids`, in that order (0 for a backend that got nothing). */
export function countsOf(s: Spread, ids: string[]): number[] {
  return ids.map((id) => s.counts.get(id) ?? 0);
}
