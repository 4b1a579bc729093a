// The live browser view: a local server on 127.0.0.1 that renders each note with its steps'
// panels, and runs a step (or the whole demo) when its button is pressed, streaming the session's
// events to the page as server-sent events. The steps run in the same DemoSession as the CLI and
// vitest; the events are rendered by the same eventHtml the export uses.

import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Demo, Step } from '../define.ts';
import { describeMissing, probeAll } from '../endpoints.ts';
import { loadLabs } from '../lab.ts';
import { closeServer, listen } from '../net.ts';
import { DemoSession, MissingServices, type Reporter, SetupFailed, type Stack } from '../run.ts';
import { esc, eventHtml, page, stepEndHtml } from './html.ts';
import { checkForView } from './lab-panels.ts';
import { notePageBody } from './note-page.ts';

const require = createRequire(import.meta.url);

/** The files the pages load, all served from this checkout: no request leaves the machine. */
export const ASSETS: Record<string, { file: string; type: string }> = {
  'view.css': { file: new URL('./assets/view.css', import.meta.url).pathname, type: 'text/css' },
  'view.js': {
    file: new URL('./assets/view.js', import.meta.url).pathname,
    type: 'text/javascript',
  },
  'mermaid.min.js': {
    file: require.resolve('mermaid/dist/mermaid.min.js'),
    type: 'text/javascript',
  },
};

/** What the page receives, one JSON object per server-sent event. */
export type ViewMessage =
  | { type: 'start'; step: string }
  | { type: 'event'; step: string; html: string }
  | { type: 'end'; step: string; html: string; status: string }
  | { type: 'problem'; html: string }
  | { type: 'stack'; stack: Stack }
  | { type: 'done' };

/** Runs steps of a demo and passes each event on as HTML; setup problems as one message. */
export async function runForView(
  demo: Demo<unknown>,
  only: string[],
  send: (m: ViewMessage) => void,
): Promise<void> {
  let current = '';
  const reporter: Reporter = {
    opened: (stack) => send({ type: 'stack', stack }),
    stepStart: (s: Step<unknown>) => {
      current = s.id;
      send({ type: 'start', step: s.id });
    },
    event: (e) => send({ type: 'event', step: current, html: eventHtml(e) }),
    stepEnd: (r) => send({ type: 'end', step: r.id, html: stepEndHtml(r), status: r.status }),
  };
  try {
    const result = await new DemoSession(demo, { only, reporter }).runAll();
    send({ type: 'stack', stack: result.stack });
  } catch (err) {
    if (err instanceof MissingServices) {
      const lines = err.statuses.map((s) => `<p class="missing">${esc(describeMissing(s))}</p>`);
      send({ type: 'problem', html: lines.join('') });
    } else if (err instanceof SetupFailed) {
      send({ type: 'problem', html: `<p class="missing">${esc(err.message)}</p>` });
    } else throw err;
  }
}

export async function indexBody(
  demos: Demo<unknown>[],
  link: (id: string) => string,
): Promise<string> {
  const needed = demos.flatMap((d) => [...d.needs, ...d.steps.flatMap((s) => s.needs)]);
  const status = new Map((await probeAll(needed)).map((s) => [s.name, s]));
  const items = demos.map((d) => {
    const needs = [...new Set([...d.needs, ...d.steps.flatMap((s) => s.needs)])];
    const missing = needs.filter((n) => !status.get(n)?.ok);
    const ready = missing.length
      ? `<span class="missing">missing ${esc(missing.join(', '))}</span>`
      : '<span class="ready">ready</span>';
    return `<li><a href="${link(d.id)}">${esc(d.title)}</a> <code>${esc(d.id)}</code> · ${
      needs.length ? esc(needs.join(', ')) : 'Node only'
    } · ${ready}</li>`;
  });
  return `<main class="index"><h1>wirenotes</h1>
<p>Executable notes: each note beside its demo's steps, run live on this machine.</p>
<ul class="topics">${items.join('\n')}</ul></main>`;
}

export interface ViewServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * Starts the view on 127.0.0.1 (port 0 picks a free one). Labs are checked in
 * `<labsRoot>/<topic>/<name>/`, the folder `npx tsx demos/<topic> lab <name>` uses by default.
 */
export async function startView(
  demos: Demo<unknown>[],
  port = 0,
  labsRoot = join(process.cwd(), 'wirenotes-labs'),
): Promise<ViewServer> {
  const byId = new Map(demos.map((d) => [d.id, d]));
  // One run at a time per demo: its setup binds servers and names things in shared services.
  const queues = new Map<string, Promise<void>>();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').filter(Boolean);
    const html = (status: number, body: string, title: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page({ title, body, assets: '/assets', live: true }));
    };
    if (parts.length === 0) {
      return html(200, await indexBody(demos, (id) => `/${id}`), 'wirenotes');
    }
    if (parts[0] === 'assets' && parts.length === 2) {
      const asset = ASSETS[parts[1] as string];
      if (!asset) return html(404, '<p>No such asset.</p>', 'not found');
      res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-cache' });
      return res.end(readFileSync(asset.file));
    }
    const demo = byId.get(parts[0] as string);
    if (!demo)
      return html(
        404,
        `<p>No topic "${esc(parts[0] ?? '')}". <a href="/">All topics</a></p>`,
        'not found',
      );
    if (parts.length === 1) {
      const labs = await loadLabs(demo.id);
      return html(200, notePageBody(demo, { home: '/', live: true, labs }), demo.title);
    }
    if (parts[1] === 'lab-check' && parts.length === 2) {
      const lab = (await loadLabs(demo.id)).find((l) => l.id === url.searchParams.get('lab'));
      if (!lab) {
        res.writeHead(400, { 'content-type': 'text/plain' });
        return res.end(`unknown lab "${url.searchParams.get('lab') ?? ''}"`);
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const send = (m: ViewMessage) => res.write(`data: ${JSON.stringify(m)}\n\n`);
      await checkForView(lab, join(labsRoot, lab.topic, lab.id), send);
      send({ type: 'done' });
      return res.end();
    }
    if (parts[1] === 'run' && parts.length === 2) {
      const step = url.searchParams.get('step');
      if (step && !demo.steps.some((s) => s.id === step)) {
        res.writeHead(400, { 'content-type': 'text/plain' });
        return res.end(`unknown step "${step}"`);
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const send = (m: ViewMessage) => res.write(`data: ${JSON.stringify(m)}\n\n`);
      const previous = queues.get(demo.id) ?? Promise.resolve();
      const run = previous.then(() => runForView(demo, step ? [step] : [], send));
      queues.set(
        demo.id,
        run.catch(() => {}),
      );
      try {
        await run;
      } catch (err) {
        send({ type: 'problem', html: `<pre class="error">${esc(String(err))}</pre>` });
      }
      send({ type: 'done' });
      return res.end();
    }
    return html(404, '<p>Not found.</p>', 'not found');
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  const bound = await listen(server, '127.0.0.1', port);
  return {
    url: `http://127.0.0.1:${bound}`,
    server,
    close: () => closeServer(server),
  };
}
