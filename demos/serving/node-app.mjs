// The demo's Node counterpart of the FastAPI app, a child process of its own (a busy-wait here
// must not stall the demo's client). GET /busy?ms=N spins the CPU for N ms, GET /timer?ms=N
// answers after a timer of N ms; each records its start and end as the server saw them, read
// back with GET /trace?tag=…. GET /metrics is Prometheus' text format, written by hand: a request
// counter and a latency histogram per route.

import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';

const trace = [];
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const routes = new Map();

function observe(route, seconds) {
  const r = routes.get(route) ?? { count: 0, sum: 0, buckets: BUCKETS.map(() => 0) };
  r.count += 1;
  r.sum += seconds;
  for (const [i, le] of BUCKETS.entries()) if (seconds <= le) r.buckets[i] += 1;
  routes.set(route, r);
}

function exposition() {
  const lines = [
    '# HELP http_requests_total Requests served',
    '# TYPE http_requests_total counter',
    ...[...routes].map(([route, r]) => `http_requests_total{route="${route}"} ${r.count}`),
    '# HELP http_request_duration_seconds Time to answer',
    '# TYPE http_request_duration_seconds histogram',
  ];
  for (const [route, r] of routes) {
    for (const [i, le] of BUCKETS.entries()) {
      lines.push(
        `http_request_duration_seconds_bucket{route="${route}",le="${le}"} ${r.buckets[i]}`,
      );
    }
    lines.push(`http_request_duration_seconds_bucket{route="${route}",le="+Inf"} ${r.count}`);
    lines.push(`http_request_duration_seconds_sum{route="${route}"} ${r.sum}`);
    lines.push(`http_request_duration_seconds_count{route="${route}"} ${r.count}`);
  }
  return `${lines.join('\n')}\n`;
}

const server = createServer((req, res) => {
  const start = performance.now();
  const url = new URL(req.url ?? '/', 'http://x');
  const ms = Number(url.searchParams.get('ms') ?? 0);
  const tag = url.searchParams.get('tag') ?? '';
  const done = (body, type = 'application/json') => {
    trace.push({ tag, start: start / 1000, end: performance.now() / 1000, thread: 0 });
    observe(url.pathname, (performance.now() - start) / 1000);
    res.writeHead(200, { 'content-type': type });
    res.end(body);
  };
  if (url.pathname === '/busy') {
    // The mistake: synchronous work holds the one thread that runs every handler.
    while (performance.now() - start < ms);
    done('{"ok":true}');
  } else if (url.pathname === '/timer') {
    setTimeout(() => done('{"ok":true}'), ms);
  } else if (url.pathname === '/trace') {
    res.end(JSON.stringify(trace.filter((e) => e.tag === tag)));
  } else if (url.pathname === '/metrics') {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(exposition());
  } else {
    res.writeHead(404);
    res.end();
  }
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
