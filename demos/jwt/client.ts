// The user's side of the flow: plain HTTP calls with undici, recorded as wire lines.

import { STATUS_CODES } from 'node:http';
import { Agent, request } from 'undici';
import { requestLines, responseLines } from '../kit/http-wire.ts';

export interface Exchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: Record<string, unknown>;
  lines: string[];
}

export class Client {
  private readonly agent = new Agent();

  async call(
    method: 'GET' | 'POST',
    url: string,
    o: { bearer?: string; json?: unknown } = {},
  ): Promise<Exchange> {
    const headers: Record<string, string> = {};
    if (o.bearer) headers.authorization = `Bearer ${o.bearer}`;
    const body = o.json === undefined ? undefined : JSON.stringify(o.json);
    if (body) headers['content-type'] = 'application/json';
    const res = await request(url, { method, headers, body, dispatcher: this.agent });
    const text = await res.body.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      // Not JSON: the raw text is in `body`.
    }
    const { pathname } = new URL(url);
    const shownHeaders = Object.fromEntries(
      Object.entries(res.headers).filter(
        ([k]) => !['date', 'connection', 'keep-alive', 'content-length'].includes(k),
      ),
    );
    const lines = [
      ...requestLines({ startLine: `${method} ${pathname} HTTP/1.1`, headers, body }),
      ...responseLines({
        startLine: `HTTP/1.1 ${res.statusCode} ${STATUS_CODES[res.statusCode] ?? ''}`,
        headers: shownHeaders,
        body: Object.keys(json).length ? JSON.stringify(json, null, 2) : text,
      }),
    ];
    return { status: res.statusCode, headers: res.headers, body: text, json, lines };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
