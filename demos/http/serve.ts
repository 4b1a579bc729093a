// `npx tsx demos/http serve [--port N] [--host H] [--expose]`: the demo's httpbin as a tool to poke
// with curl. It binds loopback unless told otherwise: every route is an open door to whoever can
// reach the port, so any other address needs --expose, and a warning says so.

import { isIP } from 'node:net';
import { parseOptions, UsageError } from '../kit/args.ts';
import type { CliIO, Subcommand } from '../kit/cli.ts';
import { type Httpbin, startHttpbin } from './httpbin.ts';
import { ROUTES } from './routes.ts';

const DEFAULT_PORT = 8000;
const USAGE = '[--port N] [--host H] [--expose]';

export function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    throw new UsageError(`--port must be an integer from 0 to 65535, got "${value}"`);
  }
  return Number(value);
}

/** 127.0.0.0/8, ::1 and localhost: addresses no other machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

interface ServeOptions {
  /** Stops the server when aborted (tests); the CLI waits for Ctrl-C or SIGTERM instead. */
  signal?: AbortSignal;
  /** Called once the server listens (tests read the port from it). */
  onListening?: (bin: Httpbin) => void;
}

export function serveCommand(options: ServeOptions = {}): Subcommand {
  return {
    name: 'serve',
    usage: USAGE,
    summary: `a local httpbin on 127.0.0.1:${DEFAULT_PORT} (the demo's routes), until Ctrl-C`,
    run: async (argv: string[], io: CliIO) => {
      const { values, positionals } = parseOptions(argv, {
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        expose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      });
      if (values.help) {
        io.out(`Usage: npx tsx demos/http serve ${USAGE}`);
        io.out(`Serves the demo's routes on 127.0.0.1:${DEFAULT_PORT} until Ctrl-C.`);
        io.out('  --port N    the port (0 picks a free one)');
        io.out('  --host H    the address to bind; anything but loopback also needs --expose');
        io.out('  --expose    allow a non-loopback --host (every route is open to the network)');
        return 0;
      }
      if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
      const port = parsePort(values.port);
      const host = values.host ?? '127.0.0.1';
      if (!host.trim()) throw new UsageError('--host must not be empty');
      if (!isLoopback(host) && !values.expose) {
        throw new UsageError(
          `--host ${host} is not a loopback address: add --expose to serve the network, or omit --host`,
        );
      }
      let bin: Httpbin;
      try {
        bin = await startHttpbin({ port, host });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        const why =
          e.code === 'EADDRINUSE' ? 'is already in use' : `failed (${e.code ?? e.message})`;
        throw new UsageError(`--port ${port} on ${host} ${why}: choose another with --port`);
      }
      if (!isLoopback(host)) {
        io.err(
          `warning: serving on ${bin.url}: every route, /crash and TRACE included, is open to ` +
            'anyone who can reach this address (CONNECT still tunnels to this server only)',
        );
      }
      io.out(`httpbin listening on ${bin.url}  (Ctrl-C to stop)`);
      io.out('');
      for (const [path, what] of ROUTES) io.out(`  ${path.padEnd(28)}${what}`);
      io.out('');
      io.out(`try: curl -v ${bin.url}/status/418`);
      options.onListening?.(bin);
      await stopped(options.signal);
      await bin.close();
      io.out('stopped');
      return 0;
    },
  };
}

function stopped(signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal) {
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
      return;
    }
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

export const serve = serveCommand();
