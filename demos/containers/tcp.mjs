// A tiny TCP server and client for the network namespace step, run inside namespaces with
// `ip netns exec`. `serve`: listen on 0.0.0.0, a free port, print `listening <port>`, answer each
// connection with `hello from <hostname>` . `connect <host> <port>`: print the answer or the errno.
import { connect, createServer } from 'node:net';
import { hostname } from 'node:os';

const [mode, host, port] = process.argv.slice(2);
if (mode === 'serve') {
  const server = createServer((socket) => socket.end(`hello from ${hostname()}\n`));
  server.listen(0, '0.0.0.0', () => console.log(`listening ${server.address().port}`));
} else {
  const socket = connect({ host, port: Number(port) });
  let answer = '';
  socket.setTimeout(5000, () => {
    console.log('error ETIMEDOUT');
    socket.destroy();
  });
  socket.on('data', (chunk) => {
    answer += chunk;
  });
  socket.on('end', () => console.log(`answer ${answer.trim()}`));
  socket.on('error', (err) => console.log(`error ${err.code}`));
}
