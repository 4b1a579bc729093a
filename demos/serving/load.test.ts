// The load subcommand, run in-process as a user would run it, against a Node server the test
// starts. Its assertions read counts (requests answered, statuses), never how long anything took.

import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIO } from '../kit/capture.ts';
import { runCli } from '../kit/cli.ts';
import { closeServer, freePort, listen } from '../kit/net.ts';
import { demo } from './demo.ts';
import { loadCommand } from './load-command.ts';

async function run(...argv: string[]) {
  const io = captureIO();
  const code = await runCli(demo, argv, [loadCommand], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr };
}

let served = 0;
const server = createServer((req, res) => {
  served += 1;
  res.statusCode = req.url === '/missing' ? 404 : 200;
  setTimeout(() => res.end('ok'), 5);
});
let base = '';

beforeAll(async () => {
  base = `http://127.0.0.1:${await listen(server)}`;
});
afterAll(() => closeServer(server));

describe('load', () => {
  it('sends exactly -n requests and counts their statuses', async () => {
    served = 0;
    const r = await run('load', `${base}/`, '-c', '4', '-n', '40');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('requests answered: 40 in');
    expect(r.stdout).toContain('statuses: 200 ×40');
    expect(r.stdout).toMatch(/Little's law: X × W = [\d.]+ in flight on average, against C = 4/);
    // One probe request first, then the 40.
    expect(served).toBe(41);
  });

  it('counts non-2xx statuses as answers', async () => {
    const r = await run('load', `${base}/missing`, '-n', '10');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('statuses: 404 ×10');
  });

  it('stops after -d seconds', async () => {
    const r = await run('load', `${base}/`, '-c', '2', '-d', '1');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/requests answered: [1-9]\d* in/);
  });

  it('exit 2 in one line when nothing answers', async () => {
    const r = await run('load', `http://127.0.0.1:${await freePort()}/`, '-n', '5');
    expect(r.code).toBe(2);
    expect(r.stderr).toEqual([expect.stringMatching(/nothing answered at .*ECONNREFUSED/)]);
  });

  it.each([
    [[]],
    [['not a url']],
    [['ftp://127.0.0.1/']],
    [['URL', 'URL']],
    [['URL', '-n', '0']],
    [['URL', '-c', 'many']],
    [['URL', '-c', '100000']],
    [['URL', '-n', '10', '-d', '5']],
    [['URL', '-n', '99999999']],
    [['URL', '-d', '86400']],
    [['URL', '--bogus']],
  ])('bad input %j: one line, exit 2, nothing sent', async (args) => {
    served = 0;
    // URL stands for the test server's address: a bad run must not send it anything.
    const r = await run('load', ...args.map((a) => (a === 'URL' ? `${base}/` : a)));
    expect(r.code).toBe(2);
    expect(r.stderr).toHaveLength(1);
    expect(served).toBe(0);
  });

  it('has --help', async () => {
    const r = await run('load', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: npx tsx demos/serving load <url>');
  });
});
