// One HTTP request through a balancer, as a client sees it: the status, the headers, and the
// body's first line (which backend answered). A fresh connection each time unless an agent is
// given, and optionally from a chosen loopback address (127.0.0.2 is another client to nginx).

import { type Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body's first line, without the line end. */
  firstLine: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The client socket's source address (any 127.x.y.z works on Linux loopback). */
  localAddress?: string;
  agent?: Agent;
}

const TIMEOUT_MS = 10_000;

export function send(url: string, options: RequestOptions = {}): Promise<Reply> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        localAddress: options.localAddress,
        agent: options.agent ?? false,
        timeout: TIMEOUT_MS,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.once('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            firstLine: body.split(/\r?\n/)[0] ?? '',
          }),
        );
        res.once('error', reject);
      },
    );
    req.once('timeout', () => req.destroy(new Error(`no response within ${TIMEOUT_MS} ms`)));
    req.once('error', reject);
    req.end(options.body);
  });
}
