// The bytes on the wire: record what a socket writes and reads, send raw requests over node:net,
// and print exchanges the way `curl -v` does (`> ` request lines, `< ` response lines).

import * as http from 'node:http';
import * as net from 'node:net';
import { Agent } from 'undici';

export interface Segment {
  dir: '>' | '<';
  bytes: Buffer;
}

/** Everything one or more sockets sent (`>`) and received (`<`), in order. */
export class Tap {
  readonly segments: Segment[] = [];
  sockets = 0;

  /** Records the socket's writes and reads; returns the socket. */
  attach<S extends net.Socket>(socket: S): S {
    this.sockets++;
    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    socket.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string' || chunk instanceof Uint8Array) this.add('>', chunk);
      return write(chunk, ...rest);
    }) as typeof socket.write;
    socket.on('data', (chunk: Buffer) => this.add('<', chunk));
    return socket;
  }

  private add(dir: Segment['dir'], chunk: string | Uint8Array): void {
    const bytes = Buffer.from(chunk as Uint8Array);
    const last = this.segments.at(-1);
    if (last && last.dir === dir) last.bytes = Buffer.concat([last.bytes, bytes]);
    else this.segments.push({ dir, bytes });
  }

  text(dir: Segment['dir']): string {
    return this.segments
      .filter((s) => s.dir === dir)
      .map((s) => s.bytes.toString('latin1'))
      .join('');
  }

  lines(options: WireOptions = {}): string[] {
    return wireLines(this.segments, options);
  }
}

/** `createConnection` for node:http.request that taps the socket it opens. */
export function tappedConnection(tap: Tap) {
  return (options: { host?: string | null; port?: number | string | null }) =>
    tap.attach(net.connect({ host: options.host ?? '127.0.0.1', port: Number(options.port) }));
}

/** An undici dispatcher whose connections are tapped, so fetch's own bytes can be shown. */
export function tappedAgent(tap: Tap): Agent {
  return new Agent({
    connect: (options, callback) => {
      const socket = tap.attach(
        net.connect({ host: options.hostname, port: Number(options.port) || 80 }),
      );
      socket.once('connect', () => callback(null, socket));
      socket.once('error', (err) => callback(err, null));
    },
  });
}

export interface RawResult {
  /** Everything the server sent. */
  response: string;
  /** The server closed the connection (we saw its FIN) before we gave up waiting. */
  closedByServer: boolean;
  tap: Tap;
}

/**
 * Sends `requests` one after another over one raw TCP connection, each after the previous
 * response is complete, then waits for the server to close or for `lingerMs` of silence.
 */
export function rawExchange(
  port: number,
  requests: string[],
  options: { lingerMs?: number } = {},
): Promise<RawResult> {
  const tap = new Tap();
  const socket = tap.attach(net.connect({ host: '127.0.0.1', port }));
  const linger = options.lingerMs ?? 100;
  return new Promise((resolve, reject) => {
    let received = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ response: received, closedByServer, tap });
    };
    const sendNext = () => {
      const next = requests[sent++];
      if (next !== undefined) socket.write(next);
      else timer = setTimeout(() => finish(false), linger);
    };
    socket.once('connect', sendNext);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (!timer && completeResponses(received) >= sent) sendNext();
    });
    socket.once('end', () => finish(true));
    socket.once('error', reject);
  });
}

/** How many final (non-1xx) responses `text` holds in full. */
export function completeResponses(text: string): number {
  let rest = text;
  let count = 0;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (!rest.startsWith('HTTP/') || end < 0) return count;
    const head = rest.slice(0, end);
    const status = Number(head.slice(9, 12));
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    if (rest.length < end + 4 + length) return count;
    rest = rest.slice(end + 4 + (status >= 200 ? length : 0));
    if (status >= 200) count++;
  }
}

export interface WireOptions {
  /** Body lines shown per message before the rest is summarised. */
  bodyLines?: number;
  /** Drop header lines whose name matches (e.g. /^date$/i) instead of masking them. */
  hide?: RegExp;
}

const WIDTH = 94;

/** Ports, dates and long lines are masked so the transcript reads the same on every run. */
export function mask(line: string): string {
  const masked = line
    .replace(/(127\.0\.0\.1|localhost):\d{2,5}/g, '$1:<port>')
    .replace(/\/(proxy|timeout)\/\d+\//, '/$1/<port>/')
    .replace(/^([<>] date:\s*).*/i, '$1<date>');
  return masked.length > WIDTH ? `${masked.slice(0, WIDTH - 1)}…` : masked;
}

/** Turns recorded segments into `> ` / `< ` lines; bodies are printed as they are, indented. */
export function wireLines(segments: Segment[], options: WireOptions = {}): string[] {
  const out: string[] = [];
  const maxBody = options.bodyLines ?? 3;
  // A message may span segments (100-continue sends the head, waits, then the body).
  const pending: Record<Segment['dir'], number> = { '>': 0, '<': 0 };
  for (const seg of segments) {
    let text = seg.bytes.toString('latin1');
    while (text.length) {
      if (pending[seg.dir] > 0) {
        const body = text.slice(0, pending[seg.dir]);
        pending[seg.dir] -= body.length;
        text = text.slice(body.length);
        out.push(...bodyLines(body, maxBody));
        continue;
      }
      const end = text.indexOf('\r\n\r\n');
      const startsMessage = /^(HTTP\/\d|[A-Za-z-]+ \S+ HTTP\/\d|PRI \*)/.test(text);
      if (!startsMessage || end < 0) {
        out.push(...bodyLines(text, maxBody));
        break;
      }
      const head = text.slice(0, end).split('\r\n');
      for (const line of head) {
        const name = /^([^:\s]+):/.exec(line)?.[1];
        if (name && options.hide?.test(name)) continue;
        out.push(mask(`${seg.dir} ${line}`));
      }
      out.push(seg.dir);
      text = text.slice(end + 4);
      const status = seg.dir === '<' ? Number(head[0]?.slice(9, 12)) : 200;
      const length = Number(/^content-length:\s*(\d+)/im.exec(head.join('\n'))?.[1] ?? 0);
      pending[seg.dir] = status >= 200 && status !== 204 && status !== 304 ? length : 0;
      if (seg.dir === '>' && /^expect:\s*100-continue/im.test(head.join('\n'))) {
        // The body travels in a later segment, after the interim response.
        pending[seg.dir] = length;
      }
    }
  }
  return out;
}

function bodyLines(body: string, max: number): string[] {
  if (!body.length) return [];
  const lines = body.split(/\r?\n/);
  while (lines.length && !lines.at(-1)) lines.pop();
  const shown = lines.slice(0, max).map((l) => mask(`  ${l}`));
  if (lines.length > max || body.length > 2000) shown.push(`  … (${body.length} bytes in all)`);
  return shown;
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** 1xx responses seen before the final one (node:http's 'information' event). */
  informational: { status: number; headers: http.IncomingHttpHeaders }[];
  tap: Tap;
}

/** One request with node:http over a fresh tapped connection; the response body as text. */
export function request(
  url: string,
  options: http.RequestOptions & { body?: string | Buffer; waitForContinue?: boolean } = {},
): Promise<Reply> {
  const tap = new Tap();
  const { body, waitForContinue, ...rest } = options;
  return new Promise((resolve, reject) => {
    const informational: Reply['informational'] = [];
    const req = http.request(url, { ...rest, createConnection: tappedConnection(tap) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        // A 413 before the body leaves the request unfinished: drop it with its connection.
        req.destroy();
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          informational,
          tap,
        });
      });
    });
    req.on('information', (info) =>
      informational.push({ status: info.statusCode, headers: info.headers }),
    );
    // After the response, an error (the server closing a half-sent request) changes nothing.
    req.on('error', reject);
    if (waitForContinue) {
      req.on('continue', () => req.end(body));
      req.flushHeaders();
    } else req.end(body);
  });
}
