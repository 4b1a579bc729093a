// The servers behind the balancers: plain HTTP on 127.0.0.1, each answering with its own id (the
// body's first line and an X-Backend header), so a count at the client says who served what.
// Each can be told to hold requests (a slow backend), to reset the connection after reading a
// request (a crash mid-request), or to fail its health check; each counts what reached it.

import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listen } from '../kit/net.ts';

type BackendMode = 'answer' | 'hold' | 'reset';

/** The health-check path HAProxy's `option httpchk` asks for; not counted as a user request. */
const HEALTH_PATH = '/health';

export interface Backend {
  id: string;
  port: number;
  /** `127.0.0.1:<port>`, as an upstream or server line names it. */
  address: string;
  mode: BackendMode;
  /** What GET /health answers: 200 when true, 503 when false. */
  healthy: boolean;
  /** TCP connections accepted (health checks included). */
  connections: number;
  /** User requests received (not /health), in order: `GET /x`. */
  requests: string[];
  /** How the last user request arrived: `HTTP/1.0, Connection: close`. */
  lastHead: string;
  /** Requests being held right now (mode `hold`). */
  readonly held: number;
  /** Answers every held request. */
  release(): void;
  /**
   * Resolves true when `condition()` holds (checked on every request and connection), false when
   * `signal` aborts first; rejects after a bound.
   */
  until(condition: () => boolean, what: string, signal?: AbortSignal): Promise<boolean>;
  close(): Promise<void>;
}

const WAIT_MS = 5_000;

async function startBackend(id: string): Promise<Backend> {
  const changes = new EventEmitter();
  const held: ServerResponse[] = [];
  const answer = (res: ServerResponse) => {
    res.setHeader('X-Backend', id);
    res.setHeader('Content-Type', 'text/plain');
    res.end(`${id}\n`);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === HEALTH_PATH) {
      res.statusCode = backend.healthy ? 200 : 503;
      res.end(backend.healthy ? 'ok\n' : 'failing\n');
      return;
    }
    // Read the whole request first: a reset then happens after the balancer sent everything.
    req.resume();
    req.once('end', () => {
      backend.requests.push(`${req.method} ${req.url}`);
      backend.lastHead = `HTTP/${req.httpVersion}, Connection: ${req.headers.connection ?? '(none)'}`;
      if (backend.mode === 'reset') req.socket.resetAndDestroy();
      else if (backend.mode === 'hold') held.push(res);
      else answer(res);
      changes.emit('change');
    });
  });
  server.on('connection', () => {
    backend.connections++;
    changes.emit('change');
  });
  // Node's default keep-alive timeout (5 s) would close idle upstream connections mid-demo.
  server.keepAliveTimeout = 60_000;
  const port = await listen(server);
  const backend: Backend = {
    id,
    port,
    address: `127.0.0.1:${port}`,
    mode: 'answer',
    healthy: true,
    connections: 0,
    requests: [],
    lastHead: '',
    get held() {
      return held.length;
    },
    release() {
      for (const res of held.splice(0)) answer(res);
    },
    until(condition, what, signal) {
      if (condition()) return Promise.resolve(true);
      return new Promise((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          changes.off('change', check);
          signal?.removeEventListener('abort', aborted);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${id}: no ${what} within ${WAIT_MS} ms`));
        }, WAIT_MS);
        const check = () => {
          if (!condition()) return;
          done();
          resolve(true);
        };
        const aborted = () => {
          done();
          resolve(false);
        };
        changes.on('change', check);
        signal?.addEventListener('abort', aborted);
      });
    },
    close() {
      backend.release();
      return closeServer(server);
    },
  };
  return backend;
}

/** Backends b1…bN, started together. */
export function startBackends(count: number, prefix = 'b'): Promise<Backend[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => startBackend(`${prefix}${i + 1}`)));
}
