// The orders service. Every deploy sends it SIGTERM, and the requests it is serving at that
// moment fail. GET /slow?ms=N answers after N ms; anything else at once.
// It prints "listening <port>" when ready and "request <path>" for each request (the check reads them).

import { createServer } from 'node:http';

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const ms = url.pathname === '/slow' ? Number(url.searchParams.get('ms') ?? 1000) : 0;
  process.stdout.write(`request ${url.pathname}\n`);
  setTimeout(() => res.end(`${url.pathname} done\n`), ms);
});

// TODO: nothing here handles SIGTERM.

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
