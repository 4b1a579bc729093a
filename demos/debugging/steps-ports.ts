// Who holds this port: ss and lsof name the process; a second bind fails; TIME-WAIT belongs to
// no process, so only ss shows it, and it outlives the server.

import { createServer } from 'node:net';
import { step } from '../kit/define.ts';
import { closeServer, listen } from '../kit/net.ts';
import { waitFor } from '../kit/wait.ts';
import { type Env, startTarget } from './env.ts';
import { fetchLine, inState, lsofPids, ssPids } from './sockets.ts';
import { PYTHON } from './strace.ts';
import { lines, toolVersion } from './tools.ts';

/** Python's bind without SO_REUSEADDR: prints "ok" or the errno. */
const PY_BIND = [
  '-c',
  'import socket, sys\ns = socket.socket()\ntry:\n  s.bind(("127.0.0.1", int(sys.argv[1]))); print("ok")\nexcept OSError as e:\n  print(e.errno)',
];

export const portsStep = step<Env>(
  {
    id: 'ports',
    section: 'who-holds-this-port',
    title: 'ss -ltnp and lsof -i name the process on a port; EADDRINUSE; TIME-WAIT has no owner',
    needs: ['lsof', 'python3'],
  },
  async (t, env) => {
    t.uses('lsof', await toolVersion('lsof', ['-v']));
    const { p: server, m } = await startTarget(env, ['listen'], /listening (\d+)/);
    const port = Number(m[1]);
    const ss = await env.sandbox.run('ss', ['-Hltnp', `sport = :${port}`]);
    const lsof = await env.sandbox.run('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN']);
    const lsofF = await env.sandbox.run('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fp']);
    t.block([
      `$ ss -Hltnp 'sport = :<port>'`,
      ...lines(ss.stdout),
      '$ lsof -nP -iTCP:<port> -sTCP:LISTEN',
      ...lines(lsof.stdout),
    ]);
    t.equal("ss -ltnp names the listening process: its pid is the server's", ssPids(ss.stdout), [
      server.pid,
    ]);
    t.equal('lsof -i names the same process', lsofPids(lsofF.stdout), [server.pid]);

    const second = createServer();
    await t.rejects(
      'a second listen on the same address and port fails with EADDRINUSE',
      () => listen(second, '127.0.0.1', port),
      { code: 'EADDRINUSE' },
    );

    // The server closes first (it answers and hangs up), so the TIME-WAIT is on its side.
    t.equal('the client read the answer, then the server closed', await fetchLine(port), 'hi\n');
    const timeWait = await waitFor('the closed connection to reach TIME-WAIT', async () => {
      const found = inState((await env.sandbox.run('ss', ['-Htanp'])).stdout, 'TIME-WAIT', port);
      return found.length ? found : undefined;
    });
    const lsofAll = await env.sandbox.run('lsof', ['-nP', `-iTCP:${port}`]);
    t.block([
      '$ ss -tanp  (TIME-WAIT on the port)',
      ...timeWait,
      '$ lsof -nP -iTCP:<port>',
      ...lines(lsofAll.stdout),
    ]);
    t.check(
      'the TIME-WAIT socket belongs to no process: ss shows it with no users:(…) column',
      timeWait.every((l) => !l.includes('users:')),
      timeWait.join(' | '),
    );
    t.check(
      'lsof -i, which lists open files of processes, does not show it',
      !lines(lsofAll.stdout).some((l) => l.includes('TIME_WAIT')),
      lsofAll.stdout,
    );
    server.kill();
    await server.gone;
    const after = inState((await env.sandbox.run('ss', ['-Htan'])).stdout, 'TIME-WAIT', port);
    t.check('the TIME-WAIT outlives the server that owned the port', after.length > 0, 'gone');
    const py = await env.sandbox.run(PYTHON, [...PY_BIND, String(port)]);
    t.equal(
      "while it lasts, a bind without SO_REUSEADDR (Python's default) fails: errno 98, EADDRINUSE",
      py.stdout.trim(),
      '98',
    );
    const again = createServer();
    t.defer(() => closeServer(again));
    t.equal(
      'Node binds the same port at once: libuv sets SO_REUSEADDR on every TCP listener',
      await listen(again, '127.0.0.1', port),
      port,
    );
  },
);
