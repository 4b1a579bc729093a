// The user's side of the flow: plain HTTP calls, recorded as wire lines. Node's fetch is undici,
// bundled with Node; using it instead of the undici package saves that package's import at start.

import { STATUS_CODES } from 'node:http';
import { requestLines, responseLines } from '../kit/http-wire.ts';

export interface Exchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: Record<string, unknown>;
  lines: string[];
}

export class Client {
  async call(
    method: 'GET' | 'POST',
    url: string,
    o: { bearer?: string; json?: unknown } = {},
  ): Promise<Exchange> {
    const headers: Record<string, string> = {};
    if (o.bearer) headers.authorization = `Bearer ${o.bearer}`;
    const body = o.json === undefined ? undefined : JSON.stringify(o.json);
    if (body) headers['content-type'] = 'application/json';
    const res = await fetch(url, { method, headers, body });
    const text = await res.text();
    const resHeaders = Object.fromEntries(res.headers);
    let json: Record<string, unknown> = {};
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      // Not JSON: the raw text is in `body`.
    }
    const { pathname } = new URL(url);
    const shownHeaders = Object.fromEntries(
      Object.entries(resHeaders).filter(
        ([k]) => !['date', 'connection', 'keep-alive', 'content-length'].includes(k),
      ),
    );
    const lines = [
      ...requestLines({ startLine: `${method} ${pathname} HTTP/1.1`, headers, body }),
      ...responseLines({
        startLine: `HTTP/1.1 ${res.status} ${STATUS_CODES[res.status] ?? ''}`,
        headers: shownHeaders,
        body: Object.keys(json).length ? JSON.stringify(json, null, 2) : text,
      }),
    ];
    return { status: res.status, headers: resHeaders, body: text, json, lines };
  }
}
