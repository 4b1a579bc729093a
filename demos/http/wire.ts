// The bytes on the wire: record what a socket writes and reads and send raw requests over
// node:net. The kit's printer shows what was recorded (demos/kit/http-wire.ts).

import * as http from 'node:http';
import * as net from 'node:net';
import { Agent } from 'undici';
import type { SequenceFigure } from '../kit/figures.ts';
import { exchangeFigure, type WireOptions, type WireTurn } from '../kit/http-wire.ts';

interface Segment {
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

  /** The messages this tap saw: `>` what its socket wrote, `<` what it read. */
  turns(hide?: RegExp): WireTurn[] {
    return turns(this.segments, hide);
  }

  /** The messages this tap saw, as a sequence figure (the transcript prints it as text). */
  figure(options: TapOptions = {}): SequenceFigure {
    const { hide, parties = ['client', 'httpbin'], bodyLines = 3 } = options;
    return exchangeFigure(parties, this.turns(hide), { bodyLines });
  }
}

/** `createConnection` for node:http.request that taps the socket it opens. */
function tappedConnection(tap: Tap) {
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
function completeResponses(text: string): number {
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

interface TapOptions extends WireOptions {
  /** Drop header lines whose name matches (e.g. /^date$/i) instead of masking them. */
  hide?: RegExp;
  /** Who talked: the client and the server (`client`, `httpbin` unless named). */
  parties?: [client: string, server: string];
}

/** Ports and dates are masked so the transcript reads the same on every run. */
function mask(text: string): string {
  return text
    .replace(/(127\.0\.0\.1|localhost):\d{2,5}/g, '$1:<port>')
    .replace(/\/(proxy|timeout)\/\d+\//, '/$1/<port>/');
}

/** Splits recorded segments into messages: request and response heads with their bodies. */
function turns(segments: Segment[], hide?: RegExp): WireTurn[] {
  const out: WireTurn[] = [];
  // A message may span segments (100-continue sends the head, waits, then the body).
  const pending: Record<Segment['dir'], number> = { '>': 0, '<': 0 };
  const body = (dir: Segment['dir'], text: string) => {
    const last = out.at(-1);
    if (last && last.dir === dir) last.body = (last.body ?? '') + text;
    else out.push({ dir, body: text });
  };
  for (const seg of segments) {
    let text = seg.bytes.toString('latin1');
    while (text.length) {
      if (pending[seg.dir] > 0) {
        const part = text.slice(0, pending[seg.dir]);
        pending[seg.dir] -= part.length;
        text = text.slice(part.length);
        body(seg.dir, mask(part));
        continue;
      }
      const end = text.indexOf('\r\n\r\n');
      const startsMessage = /^(HTTP\/\d|[A-Za-z-]+ \S+ HTTP\/\d|PRI \*)/.test(text);
      if (!startsMessage || end < 0) {
        body(seg.dir, mask(text));
        break;
      }
      const [startLine = '', ...lines] = text.slice(0, end).split('\r\n');
      const headers: [string, string][] = [];
      for (const line of lines) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon);
        if (hide?.test(name)) continue;
        const value = line.slice(colon + 1).trim();
        headers.push([name, /^date$/i.test(name) ? '<date>' : mask(value)]);
      }
      out.push({ dir: seg.dir, startLine: mask(startLine), headers });
      text = text.slice(end + 4);
      const status = seg.dir === '<' ? Number(startLine.slice(9, 12)) : 200;
      const length = Number(/^content-length:\s*(\d+)/im.exec(lines.join('\n'))?.[1] ?? 0);
      pending[seg.dir] = status >= 200 && status !== 204 && status !== 304 ? length : 0;
    }
  }
  return out;
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
