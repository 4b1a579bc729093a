// Runs inside the demo's network namespace (`ip netns exec <ns> node probe.mjs '<json>'`), so its
// sockets use that namespace's loopback, firewall and sysctls, and its getaddrinfo reads the
// namespace's /etc/resolv.conf, /etc/hosts and /etc/nsswitch.conf. The argument is a list of
// operations; it prints one JSON array with what each really did (an error's code, syscall and
// message exactly as Node reported it, and how long it took).

import dns from 'node:dns';
import net from 'node:net';

const ops = JSON.parse(process.argv[2] ?? '[]');

/** The fields of a Node error a reader pastes into a search box. */
function failure(err, started) {
  return {
    ok: false,
    code: err.code,
    syscall: err.syscall,
    message: err.message,
    ms: Date.now() - started,
  };
}

/** Connects to host:port; with `listen`, a server listens there first (so a refusal is the firewall's). */
async function connect({ host, port, listen: withServer = false }) {
  const server = withServer ? net.createServer((s) => s.destroy()) : undefined;
  if (server) await listen(server, port, host);
  const started = Date.now();
  const result = await new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ ok: true, ms: Date.now() - started, address: socket.remoteAddress });
    });
    socket.once('error', (err) => resolve(failure(err, started)));
  });
  server?.close();
  return result;
}

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server.address().port));
  });
}

/** A second listen on a port held by a dual-stack (`::`) listener: with no host, then 127.0.0.1. */
async function listenTwice() {
  const first = net.createServer();
  const port = await listen(first, 0);
  const results = [];
  for (const host of [undefined, '127.0.0.1']) {
    const started = Date.now();
    try {
      await listen(net.createServer(), port, host);
      results.push({ ok: true, host: host ?? '(none)' });
    } catch (err) {
      results.push({ ...failure(err, started), host: host ?? '(none)' });
    }
  }
  first.close();
  return { firstAddress: first.address()?.address ?? '::', port, results };
}

/** A server that answers every connection with `act(socket)`; resolves with its port. */
async function serverDoing(act) {
  const server = net.createServer(act);
  return { server, port: await listen(server, 0, '127.0.0.1') };
}

/**
 * The server reads a request and resets the connection (SO_LINGER 0, then close) instead of
 * answering: the client, established and waiting for the answer, gets the RST on its read.
 */
async function peerReset() {
  const { server, port } = await serverDoing((s) => s.once('data', () => s.resetAndDestroy()));
  const started = Date.now();
  const result = await new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write('request'));
    socket.once('error', (err) => resolve(failure(err, started)));
    socket.once('close', () => resolve({ ok: true }));
  });
  server.close();
  return result;
}

/**
 * The server closes its end; the client (allowHalfOpen, so Node does not end it for us) keeps
 * writing. The first write after the FIN reaches a closed socket, whose kernel answers RST; the
 * RST lands in CLOSE_WAIT, and the next write fails. Writes are counted until one fails.
 */
async function writeAfterClose() {
  const { server, port } = await serverDoing((s) => s.destroy());
  const started = Date.now();
  const result = await new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let writes = 0;
    const again = () => {
      if (writes >= 10_000) return resolve({ ok: true, writes });
      writes += 1;
      socket.write('x', (err) => (err ? undefined : setImmediate(again)));
    };
    socket.once('end', again);
    socket.once('error', (err) => resolve({ ...failure(err, started), writes }));
  });
  server.close();
  return result;
}

function lookup({ name, family = 0 }) {
  const started = Date.now();
  return dns.promises.lookup(name, { family, all: true }).then(
    (all) => ({ ok: true, addresses: all.map((a) => a.address), ms: Date.now() - started }),
    (err) => failure(err, started),
  );
}

function resolve4({ name, server }) {
  const started = Date.now();
  const resolver = new dns.promises.Resolver();
  if (server) resolver.setServers([server]);
  return resolver.resolve4(name, { ttl: true }).then(
    (all) => ({
      ok: true,
      addresses: all.map((a) => a.address),
      ttls: all.map((a) => a.ttl),
      ms: Date.now() - started,
    }),
    (err) => failure(err, started),
  );
}

const RUN = { connect, listenTwice, peerReset, writeAfterClose, lookup, resolve4 };

const results = [];
for (const op of ops) results.push(await RUN[op.op](op));
process.stdout.write(`${JSON.stringify(results)}\n`);
// A socket a peer left half-open must not keep this process (and the demo waiting on it) alive.
setTimeout(() => process.exit(0), 1000).unref();
