// An HTTP server that shuts down on SIGTERM in one of three ways (the first argument):
// `close` calls server.close(); `close-idle` also closes each connection as soon as it turns
// idle; `close-all` calls closeAllConnections() as well. It never calls process.exit: the
// process ends when nothing holds the event loop, which is what the demo watches.
// GET /slow?ms=N answers after N ms; anything else at once.

import { createServer } from 'node:http';

const mode = process.argv[2] ?? 'close';
let closing = false;
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const ms = url.pathname === '/slow' ? Number(url.searchParams.get('ms') ?? 1000) : 0;
  process.stdout.write(`request ${url.pathname}\n`);
  res.on('finish', () => {
    if (closing && mode === 'close-idle') server.closeIdleConnections();
  });
  setTimeout(() => res.end(`${url.pathname} done\n`), ms);
});
process.on('SIGTERM', () => {
  closing = true;
  server.close(() => process.stdout.write('closed\n'));
  if (mode === 'close-all') server.closeAllConnections();
  // Printed after the calls: the demo's next connection must find the listener gone.
  process.stdout.write('SIGTERM: closing\n');
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
