// Sniffing: the demo's own HTTP exchange on loopback, captured by tcpdump and decoded a second
// time by an independent implementation, tshark (Wireshark's dissectors).

import { createServer, get } from 'node:http';
import { step } from '../kit/define.ts';
import { closeServer, listen } from '../kit/net.ts';
import { capturedUntil, startCapture, tcpdumpRead, tsharkHttp, tsharkSummary } from './capture.ts';
import type { Env } from './env.ts';
import { toolVersion } from './tools.ts';

interface Fetched {
  status: number;
  body: string;
  clientPort: number;
}

/** One GET on a fresh connection that closes after the response. */
function fetchOnce(port: number, path: string): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => {
        // Resolve once the socket is closed: the whole exchange, FINs included, is on the wire.
        req.socket?.once('close', () =>
          resolve({ status: res.statusCode ?? 0, body, clientPort: clientPort ?? 0 }),
        );
      });
    });
    let clientPort: number | undefined;
    req.once('socket', (s) => s.once('connect', () => (clientPort = s.localPort)));
    req.once('error', reject);
  });
}

export const packetsStep = step<Env>(
  {
    id: 'packets',
    section: 'sniffing-traffic-tcpdump-and-tshark',
    title: "tcpdump captures the demo's HTTP exchange on lo; tshark decodes the same file",
    needs: ['root', 'tcpdump', 'tshark'],
  },
  async (t, env) => {
    t.uses('tcpdump', await toolVersion('tcpdump'));
    t.uses('tshark', await toolVersion('tshark'));
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
      res.end(`hello ${req.url}\n`);
    });
    const port = await listen(server);
    t.defer(() => closeServer(server));
    const immediate = await startCapture(env, 'immediate', port, true);
    const buffered = await startCapture(env, 'buffered', port, false);
    t.say('Capturing on lo, this port only, with and without --immediate-mode.');
    const path = '/item?id=7';
    const got = await fetchOnce(port, path);
    // The buffered capture is stopped as soon as the exchange is done (what it lost is the point);
    // the immediate one once its file holds both FINs, which tcpdump may read a moment later.
    const bufferedCount = await buffered.stop();
    const fin = (ps: string[], side: number) =>
      ps.some((l) => l.includes(`127.0.0.1.${side} >`) && l.includes('Flags [F'));
    await capturedUntil(immediate.file, (ps) => fin(ps, got.clientPort) && fin(ps, port));
    const counts = { immediate: await immediate.stop(), buffered: bufferedCount };
    t.show('the client', `GET ${path} → ${got.status}, body ${JSON.stringify(got.body)}`);
    const packets = await tcpdumpRead(immediate.file);
    const ascii = await tcpdumpRead(immediate.file, true);
    t.block([
      '$ tcpdump -nn -r capture.pcap',
      ...packets.map((l) => l.replace(/^\S+ /, '').replace(/, options \[[^\]]*\]/, '')),
    ]);
    const from = (side: number, flag: string) =>
      packets.filter((l) => l.includes(`127.0.0.1.${side} >`) && l.includes(`Flags [${flag}`))
        .length;
    t.equal(
      'with --immediate-mode it holds the whole exchange: 1 SYN from the client, a FIN from each side',
      [from(got.clientPort, 'S]'), from(got.clientPort, 'F'), from(port, 'F')],
      [1, 1, 1],
    );
    t.check(
      'tcpdump -A shows the request line in the payload bytes',
      ascii.some((l) => l.includes(`GET ${path} HTTP/1.1`)),
      'no request line',
    );
    const summary = await tsharkSummary(immediate.file, port);
    t.block(['$ tshark -r capture.pcap', ...summary.filter((l) => l.includes('HTTP'))]);
    t.equal('tshark reads as many frames from the file as tcpdump', summary.length, packets.length);
    const http = await tsharkHttp(immediate.file, port);
    const request = http.find((f) => f[0] !== '');
    const response = http.find((f) => f[2] !== '');
    t.equal(
      "tshark's HTTP dissector finds the method and path the client sent",
      [request?.[0], request?.[1]],
      ['GET', path],
    );
    t.equal('and the status the client received', Number(response?.[2]), got.status);
    t.show(
      'the same exchange without --immediate-mode, stopped as soon as it was done',
      `${counts.buffered} packets captured (libpcap hands packets over in blocks; one not yet handed over is lost)`,
    );
  },
);
