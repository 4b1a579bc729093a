// Runs inside a namespace of the packets demo. `serve <host> <port> <bytes>`: on each connection,
// writes <bytes> bytes and closes; prints "listening" once it accepts. `fetch <host> <port>
// <deadline ms>`: connects, reads until the server closes, or until the deadline passes with
// nothing arrived since the last look (a stall), and prints one JSON line: how many bytes
// arrived, whether the response was complete, how long it took.

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
  let timer;
  let finished = false;
  const done = (complete, error) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    socket.destroy();
    process.stdout.write(
      `${JSON.stringify({ bytes, complete, error, ms: Date.now() - started })}\n`,
    );
  };
  // The verdict waits for one turn of the loop (setImmediate runs after the poll phase), so what
  // arrived while this process waited for a CPU is read first: on a busy machine the timer can
  // come due before the data events of a healthy transfer are seen. A transfer still moving gets
  // more time, up to four deadlines, and so does one still connecting; one that has not moved
  // since the last look has stalled.
  let seen = 0;
  const look = () =>
    setImmediate(() => {
      if (finished) return;
      if ((bytes > seen || socket.connecting) && Date.now() - started < 4 * deadline) {
        seen = bytes;
        timer = setTimeout(look, deadline / 2);
      } else done(false);
    });
  timer = setTimeout(look, deadline);
  socket.on('data', (chunk) => {
    bytes += chunk.length;
  });
  socket.on('end', () => done(true));
  socket.on('error', (err) => done(false, err.code));
}
