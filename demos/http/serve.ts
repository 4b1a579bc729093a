// `npx tsx demos/http serve [--port N] [--host H]`: the demo's httpbin as a tool to poke with curl.

import { parseOptions, UsageError } from '../kit/args.ts';
import type { CliIO, Subcommand } from '../kit/cli.ts';
import { type Httpbin, startHttpbin } from './httpbin.ts';
import { ROUTES } from './routes.ts';

const DEFAULT_PORT = 8000;

export function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    throw new UsageError(`--port must be an integer from 0 to 65535, got "${value}"`);
  }
  return Number(value);
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
    usage: '[--port N] [--host H]',
    summary: `a local httpbin on 127.0.0.1:${DEFAULT_PORT} (the demo's routes), until Ctrl-C`,
    run: async (argv: string[], io: CliIO) => {
      const { values, positionals } = parseOptions(argv, {
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      });
      if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
      if (values.help) {
        io.out('Usage: npx tsx demos/http serve [--port N] [--host H]');
        io.out(`Serves the routes below on 127.0.0.1:${DEFAULT_PORT} until Ctrl-C.`);
        return 0;
      }
      const port = parsePort(values.port);
      const host = values.host ?? '127.0.0.1';
      if (!host.trim()) throw new UsageError('--host must not be empty');
      let bin: Httpbin;
      try {
        bin = await startHttpbin({ port, host });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        const why =
          e.code === 'EADDRINUSE' ? 'is already in use' : `failed (${e.code ?? e.message})`;
        io.err(`demos/http serve: listening on ${host}:${port} ${why}`);
        return e.code === 'EADDRINUSE' ? 1 : 2;
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
