// A learner's request handler, served by node:http on a free loopback port for one lab check.
// A handler that throws answers 500, as the httpbin's /crash does, instead of ending the check.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import type { StepContext } from '../kit/define.ts';
import { closeServer, listen } from '../kit/net.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

/** Imports `file`, serves its export `name` until the check ends; the server's base URL. */
export async function serveHandler(t: StepContext, file: string, name: string): Promise<string> {
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const handler = mod[name] as Handler | undefined;
  if (typeof handler !== 'function') throw new Error(`${file} must export the function ${name}`);
  const server = createServer(async (req, res) => {
    try {
      await handler(req, res);
    } catch {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  });
  const port = await listen(server);
  t.defer(() => closeServer(server));
  return `http://127.0.0.1:${port}`;
}
