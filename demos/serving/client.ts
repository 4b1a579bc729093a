// The demo's HTTP client: a burst of N requests at once, each on a fresh connection (so none
// waits for another's socket), and what the server recorded about them.

import { get } from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One GET on a connection of its own; a network error rejects. */
export function fetchOnce(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

export async function getJson<T>(url: string): Promise<T> {
  const reply = await fetchOnce(url);
  if (reply.status !== 200) throw new Error(`GET ${url}: ${reply.status} ${reply.body}`);
  return JSON.parse(reply.body) as T;
}

/** N requests sent at once; resolves with every reply, in the order they were sent. */
export function burst(
  url: string | ((i: number) => string),
  n: number,
  headers: Record<string, string> = {},
): Promise<Reply[]> {
  const at = typeof url === 'string' ? () => url : url;
  return Promise.all(Array.from({ length: n }, (_, i) => fetchOnce(at(i), headers)));
}

/** One request as the server saw it: seconds on the server's monotonic clock, and its thread. */
export interface Handled {
  start: number;
  end: number;
  thread: number;
}

/** The most requests the server held at once (a sweep over starts and ends). */
export function peakInFlight(handled: Handled[]): number {
  const events = handled.flatMap((h) => [
    { at: h.start, delta: 1 },
    { at: h.end, delta: -1 },
  ]);
  // An end and a start at the same instant: the end first (they did not overlap).
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let now = 0;
  let peak = 0;
  for (const e of events) {
    now += e.delta;
    peak = Math.max(peak, now);
  }
  return peak;
}

/** From the first start to the last end, in ms. */
export function spanMs(handled: Handled[]): number {
  const starts = handled.map((h) => h.start);
  const ends = handled.map((h) => h.end);
  return (Math.max(...ends) - Math.min(...starts)) * 1000;
}

export function threadCount(handled: Handled[]): number {
  return new Set(handled.map((h) => h.thread)).size;
}
