// The check subcommand, in process, against the demo's recording API server: exit codes,
// the verdict line, and one line on stderr for bad input.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../kit/cli.ts';
import { makeStyle } from '../kit/style.ts';
import { checkCommand } from './check-command.ts';
import { demo } from './demo.ts';
import { type ApiServer, startApiServer, startPageServer } from './servers.ts';

async function check(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    style: makeStyle(false),
    out: (l: string) => out.push(l),
    err: (l: string) => err.push(l),
  };
  const code = await runCli(demo as never, ['check', ...argv], [checkCommand], io);
  return { code, out, err };
}

describe('cors check', () => {
  let api: ApiServer;
  let base: string;
  const origin = 'http://app.example';
  beforeAll(async () => {
    api = await startApiServer();
    base = `http://127.0.0.1:${api.port}`;
    api.policy('strict', { origin: [origin], methods: 'PUT', allowHeaders: 'content-type' });
    api.policy('open', { origin: 'reflect', credentials: true, methods: 'PUT', vary: true });
  });
  afterAll(() => api.close());

  it('allows a preflighted PUT the server permits (exit 0) and shows the exchanges', async () => {
    const r = await check([`${base}/c/strict/1`, '--origin', origin, '--method', 'put']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('preflight needed: method PUT is not GET, HEAD or POST');
    expect(r.out).toContain('> Access-Control-Request-Method: PUT');
    expect(r.out.at(-1)).toBe('allowed');
    expect(api.requestsFor('/c/strict/1').map((l) => l.method)).toEqual(['OPTIONS', 'PUT']);
  });

  it('blocks a header the preflight does not allow (exit 1) and never sends the request', async () => {
    const r = await check([`${base}/c/strict/2`, '--origin', origin, '--header', 'X-Api-Key: k1']);
    expect(r.code).toBe(1);
    expect(r.out.at(-1)).toBe(
      'blocked: preflight response lacks Access-Control-Allow-Headers for x-api-key',
    );
    expect(api.requestsFor('/c/strict/2').map((l) => l.method)).toEqual(['OPTIONS']);
  });

  it('blocks another origin, and a credentialed request without ACAC', async () => {
    const other = await check([`${base}/c/strict/3`, '--origin', 'http://evil.example']);
    expect(other.code).toBe(1);
    expect(other.out.at(-1)).toBe('blocked: response has no Access-Control-Allow-Origin header');
    const cred = await check([`${base}/c/strict/4`, '--origin', origin, '--credentials']);
    expect(cred.out.at(-1)).toMatch(/Access-Control-Allow-Credentials: true/);
    const open = await check([`${base}/c/open/5`, '--origin', origin, '--credentials']);
    expect(open.code).toBe(0);
  });

  it.each([
    [['not a url', '--origin', origin], /not a URL/],
    [['ftp://x.example/', '--origin', origin], /only http and https/],
    [['http://x.example/'], /--origin is required/],
    [['http://x.example/', '--origin', 'http://app.example/'], /--origin must be/],
    [
      ['http://x.example/', '--origin', origin, '--header', 'NoColon'],
      /--header must be Name:Value/,
    ],
    [
      ['http://x.example/', '--origin', origin, '--header', 'Cookie: a=1'],
      /forbidden request header/,
    ],
    [['http://x.example/', '--origin', origin, '--method', 'TRACE'], /forbidden method/],
    [['http://x.example/', '--origin', origin, '--bogus'], /Unknown option/],
    [
      ['http://x.example/', '--origin', origin, '--header', 'X-A: a\u0007b'],
      /^demos\/cors: --header X-A: the value has the control character 0x07; only tab/,
    ],
    [['http://x.example/', '--origin', origin, '--header', 'X-A: a\rb'], /control character 0x0d/],
    [['http://x.example/', '--origin', origin, '--header', 'X-A: a\u001bb'], /character 0x1b/],
    [['http://x.example/', '--origin', origin, '--header', 'X-A: a\u007fb'], /character 0x7f/],
  ])('exits 2 with one line for bad input %j', async (argv, message) => {
    const r = await check(argv as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(message);
  });

  it('--help prints the usage, exit 0, and sends nothing', async () => {
    const r = await check(['--help']);
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe(
      'Usage: npx tsx demos/cors check <url> --origin <origin> [--method M] [--header Name:Value]… [--credentials]',
    );
    expect(r.err).toEqual([]);
  });

  it('a tab inside a header value is allowed', async () => {
    const r = await check([`${base}/c/open/6`, '--origin', origin, '--header', 'Accept: a\tb']);
    expect(r.code).toBe(0);
  });

  it('exits 2 when the host cannot be reached', async () => {
    const gone = await startPageServer();
    const port = gone.port;
    await gone.close();
    const r = await check([`http://127.0.0.1:${port}/x`, '--origin', origin]);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([`demos/cors: cannot reach 127.0.0.1:${port}: ECONNREFUSED`]);
  });
});
