// Runs inside a namespace of the packets demo. `serve <host> <port> <bytes>`: on each connection,
// writes <bytes> bytes and closes; prints "listening" once it accepts. `fetch <host> <port>
// <deadline ms>`: connects, reads until the server closes or the deadline passes, and prints one
// JSON line: how many bytes arrived, whether the response was complete, how long it took.

import net from 'node:net';

const [mode, host, portText, amount] = process.argv.slice(2);
const port = Number(portText);

if (mode === 'serve') {
  const body = Buffer.alloc(Number(amount), 'x');
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.end(body);
  });
  server.listen(port, host, () => process.stdout.write('listening\n'));
} else {
  const deadline = Number(amount);
  const started = Date.now();
  let bytes = 0;
  const socket = net.connect(port, host);
  const done = (complete, error) => {
    clearTimeout(timer);
    socket.destroy();
    process.stdout.write(
      `${JSON.stringify({ bytes, complete, error, ms: Date.now() - started })}\n`,
    );
  };
  const timer = setTimeout(() => done(false), deadline);
  socket.on('data', (chunk) => {
    bytes += chunk.length;
  });
  socket.on('end', () => done(true));
  socket.on('error', (err) => done(false, err.code));
}
