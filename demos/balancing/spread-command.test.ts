// The spread subcommand against the demo's own balancer (a real nginx in front of three
// backends), and every kind of bad input: one line, exit 2.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIO } from '../kit/capture.ts';
import { runCli } from '../kit/cli.ts';
import { freePort } from '../kit/net.ts';
import { fileNeeds } from '../kit/vitest.ts';
import { type Backend, startBackends } from './backends.ts';
import { demo } from './demo.ts';
import { RunDir } from './instances.ts';
import { location, type Nginx, startNginx, upstream } from './nginx.ts';
import { spreadCommand } from './spread-command.ts';

async function spreadCli(...argv: string[]) {
  const io = captureIO();
  const code = await runCli(demo, ['spread', ...argv], [spreadCommand], io);
  return { code, out: io.stdout, err: io.stderr };
}

describe('spread', () => {
  let run: RunDir;
  let bs: Backend[];
  let ng: Nginx;
  const needs = fileNeeds(['nginx-binary']);
  beforeAll(async () => {
    if (!needs.ready()) return;
    run = new RunDir();
    bs = await startBackends(3);
    ng = await startNginx(run, 'spread-test', {
      upstreams: upstream(
        'app',
        bs.map((b) => b.address),
      ),
      locations: location('/', 'app'),
    });
  });
  afterAll(async () => {
    if (!run) return;
    await run.close();
    await Promise.all(bs.map((b) => b.close()));
  });

  it('counts the answers per backend by the body', async () => {
    const r = await spreadCli(ng.url, '-n', '30');
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe(`30 requests to ${ng.url}, grouped by the body's first line:`);
    expect(r.out.slice(3).map((l) => l.trim().split(/\s+/))).toEqual([
      ['b1', '10', '33', '%'],
      ['b2', '10', '33', '%'],
      ['b3', '10', '33', '%'],
    ]);
  });

  it('groups by a response header', async () => {
    const r = await spreadCli(ng.url, '--requests', '6', '--by', 'header:X-Backend');
    expect(r.code).toBe(0);
    expect(r.out[0]).toContain('grouped by the X-Backend header');
    expect(r.out.slice(3).map((l) => l.trim().split(/\s+/)[1])).toEqual(['2', '2', '2']);
  });

  it('prints its help', async () => {
    const r = await spreadCli('--help');
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^Usage: npx tsx demos\/balancing spread <url>/);
  });

  const bad: [string, string[], RegExp][] = [
    ['no URL', [], /a URL is required/],
    ['two URLs', ['http://a/', 'http://b/'], /one URL expected, got 2/],
    ['not a URL', ['nope'], /"nope" is not an http:\/\/ or https:\/\/ URL/],
    ['another scheme', ['ftp://127.0.0.1/'], /is not an http/],
    [
      'N not a number',
      ['http://127.0.0.1/', '-n', 'ten'],
      /-n must be a positive integer, got "ten"/,
    ],
    ['N zero', ['http://127.0.0.1/', '-n', '0'], /-n must be a positive integer/],
    ['N negative', ['http://127.0.0.1/', '-n', '-3'], /-n must be a positive integer, got "-3"/],
    ['N too large', ['http://127.0.0.1/', '-n', '1000001'], /-n must be at most/],
    ['--by without header:', ['http://127.0.0.1/', '--by', 'body'], /--by must be header:<name>/],
    ['an unknown flag', ['http://127.0.0.1/', '--fast'], /Unknown option '--fast'/],
  ];
  for (const [what, argv, message] of bad) {
    it(`rejects ${what} in one line, exit 2`, async () => {
      const r = await spreadCli(...argv);
      expect(r.code).toBe(2);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(message);
    });
  }

  it('says in one line, exit 2, when nothing answers', async () => {
    const url = `http://127.0.0.1:${await freePort()}/`;
    const r = await spreadCli(url, '-n', '3');
    expect(r.code).toBe(2);
    expect(r.err).toEqual([`demos/balancing: spread: cannot reach ${url}: ECONNREFUSED`]);
  });
});
