// The kit's own behaviour: claims, failures, exit codes, --json, --step, missing services.

import { afterEach, describe, expect, it } from 'vitest';
import { captureIO } from './capture.ts';
import { runCli } from './cli.ts';
import { defineDemo, step } from './define.ts';
import { slugify } from './notes.ts';
import { DemoSession, failureMessage } from './run.ts';
import { fold, wrap } from './text.ts';

const fixture = defineDemo<{ answer: number }>({
  id: 'fixture',
  title: 'Fixture',
  setup: () => ({ answer: 42 }),
  steps: [
    step({ id: 'one', section: 'one', title: 'passes' }, (t, env) => {
      t.say('narration');
      t.equal('the answer is 42', env.answer, 42);
    }),
    step({ id: 'two', section: 'two', title: 'fails one claim' }, (t) => {
      t.equal('one is two', 1, 2);
      t.check('this holds', true);
    }),
    step({ id: 'three', section: 'three', title: 'rejects' }, async (t) => {
      await t.rejects(
        'throws E_X',
        () => Promise.reject(Object.assign(new Error('boom'), { code: 'E_X' })),
        'E_X',
      );
    }),
  ],
});

const env = { ...process.env };
afterEach(() => {
  process.env = { ...env };
});

describe('claims', () => {
  it('reports a failed claim with its expected and actual values', async () => {
    const session = new DemoSession(fixture);
    await session.open();
    const r = await session.runStep(fixture.steps[1] as (typeof fixture.steps)[number], 1);
    await session.close();
    expect(r.status).toBe('failed');
    expect(failureMessage(r)).toBe('✗ one is two — expected 2, got 1');
  });

  it('fails a step that makes no claim, and one that throws', async () => {
    const demo = defineDemo({
      id: 'empty',
      title: 'Empty',
      steps: [
        step({ id: 'quiet', section: 'quiet', title: 'says nothing' }, (t) =>
          t.say('only narration'),
        ),
        step({ id: 'boom', section: 'boom', title: 'throws' }, () => {
          throw Object.assign(new Error('kaput'), { code: 'E_KAPUT' });
        }),
      ],
    });
    const result = await new DemoSession(demo).runAll();
    expect(result.steps.map((s) => [s.status, s.error])).toEqual([
      ['failed', 'the step made no claim'],
      ['failed', 'E_KAPUT: kaput'],
    ]);
  });

  it('fails rejects() when the function resolves, or rejects with another error', async () => {
    const demo = defineDemo({
      id: 'rej',
      title: 'Rejects',
      steps: [
        step({ id: 's', section: 's', title: 'rejects' }, async (t) => {
          await t.rejects('resolves instead', () => 1, 'E_X');
          await t.rejects(
            'wrong code',
            () => Promise.reject(Object.assign(new Error('m'), { code: 'E_Y' })),
            'E_X',
          );
        }),
      ],
    });
    const [s] = (await new DemoSession(demo).runAll()).steps;
    expect(s?.claims).toEqual([
      { text: 'resolves instead', ok: false, actual: 'resolved with 1', expected: 'rejection E_X' },
      { text: 'wrong code', ok: false, actual: 'E_Y: m', expected: 'E_X' },
    ]);
  });

  it('refuses two steps with one id', () => {
    expect(() =>
      defineDemo({
        id: 'dup',
        title: 'Dup',
        steps: [
          step({ id: 'a', section: 'a', title: 'x' }, () => {}),
          step({ id: 'a', section: 'a', title: 'y' }, () => {}),
        ],
      }),
    ).toThrow(/two steps have the id "a"/);
  });
});

describe('cli', () => {
  it('exits 1 when a claim fails and prints the closing line', async () => {
    const io = captureIO();
    expect(await runCli(fixture, [], [], io)).toBe(1);
    expect(io.stdout).toContain('   ✗ one is two — expected 2, got 1');
    expect(io.stdout.at(-1)).toBe('2 passed, 1 failed');
  });

  it('--step runs only the named steps, numbered as in the whole demo, and exits 0', async () => {
    const io = captureIO();
    expect(await runCli(fixture, ['--step', 'one', '--step', 'three'], [], io)).toBe(0);
    expect(io.stdout.filter((l) => /^\d\/\d /.test(l)).map((l) => l.split('  ')[0])).toEqual([
      '1/3 passes',
      '3/3 rejects',
    ]);
    expect(io.stdout.at(-1)).toBe('2 passed, 0 failed');
  });

  it('--json prints the stable shape', async () => {
    const io = captureIO();
    expect(await runCli(fixture, ['--json', '--step', 'two'], [], io)).toBe(1);
    const json = JSON.parse(io.stdout.join('\n'));
    expect(Object.keys(json)).toEqual([
      'demo',
      'ok',
      'passed',
      'failed',
      'skipped',
      'steps',
      'stack',
    ]);
    expect(json.stack).toMatchObject({
      node: process.versions.node,
      'node openssl': process.versions.openssl,
    });
    expect(json).toMatchObject({ demo: 'fixture', ok: false, passed: 0, failed: 1 });
    expect(Object.keys(json.steps[0])).toEqual([
      'id',
      'section',
      'title',
      'ms',
      'status',
      'claims',
    ]);
    expect(json.steps[0].claims).toEqual([
      { text: 'one is two', ok: false, actual: '1', expected: '2' },
      { text: 'this holds', ok: true },
    ]);
  });

  it('exits 2 with one line for an unknown flag, step or subcommand', async () => {
    for (const argv of [['--bogus'], ['--step', 'nope'], ['frobnicate']]) {
      const io = captureIO();
      expect(await runCli(fixture, argv, [], io)).toBe(2);
      expect(io.stderr).toHaveLength(1);
      expect(io.stderr[0]).toMatch(/^demos\/fixture: /);
    }
  });

  it('--list and --help print without running anything', async () => {
    const io = captureIO();
    expect(await runCli(fixture, ['--list'], [], io)).toBe(0);
    const where = (slug: string) => `${' '.repeat(25)}notes/fixture.md#${slug} · kit.test.ts`;
    expect(io.stdout).toEqual([
      `${'one'.padEnd(24)} passes`,
      where('one'),
      `${'two'.padEnd(24)} fails one claim`,
      where('two'),
      `${'three'.padEnd(24)} rejects`,
      where('three'),
    ]);
    const help = captureIO();
    expect(await runCli(fixture, ['--help'], [], help)).toBe(0);
    expect(help.stdout.join('\n')).toMatch(/--step <id>/);
  });

  it('exits 2 naming the service, the address and the command when a needed service is down', async () => {
    process.env.PG_URL = 'postgres://postgres@127.0.0.1:1/postgres';
    const demo = defineDemo({
      id: 'needy',
      title: 'Needy',
      needs: ['postgres'],
      steps: [step({ id: 's', section: 's', title: 't' }, (t) => void t.check('x', true))],
    });
    const io = captureIO();
    expect(await runCli(demo, [], [], io)).toBe(2);
    expect(io.stderr).toEqual([
      'demos/needy: postgres is not available: not reachable at 127.0.0.1:1 (ECONNREFUSED) — start it with `npm run setup` (or `npm run services -- up postgres`) or set PG_URL',
    ]);
  });

  it('exits 2 with one line when setup fails (a service that answers but refuses)', async () => {
    const demo = defineDemo({
      id: 'refused',
      title: 'Refused',
      setup: () => {
        throw Object.assign(new Error('database "nope" does not exist'), { code: '3D000' });
      },
      steps: [step({ id: 's', section: 's', title: 't' }, (t) => void t.check('x', true))],
    });
    const io = captureIO();
    expect(await runCli(demo, [], [], io)).toBe(2);
    expect(io.stderr).toEqual([
      'demos/refused: setup failed: 3D000: database "nope" does not exist',
    ]);
  });

  it('skips a step whose own service is missing (exit 2), and fails it under CI', async () => {
    process.env.CHROMIUM_PATH = '/nonexistent/chromium';
    delete process.env.CI;
    const demo = defineDemo({
      id: 'half',
      title: 'Half',
      steps: [
        step(
          { id: 'wire', section: 'wire', title: 'no browser' },
          (t) => void t.check('runs', true),
        ),
        step(
          { id: 'browser', section: 'browser', title: 'browser', needs: ['chromium'] },
          (t) => void t.check('runs', true),
        ),
      ],
    });
    const local = captureIO();
    expect(await runCli(demo, [], [], local)).toBe(2);
    expect(local.stdout.join('\n')).toContain(
      '   – skipped: chromium is not available: no executable at /nonexistent/chromium — install it with\n   `npm run setup` (apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary',
    );
    expect(local.stdout.at(-1)).toBe('1 passed, 0 failed, 1 skipped');
    process.env.CI = 'true';
    const ci = captureIO();
    expect(await runCli(demo, [], [], ci)).toBe(1);
    expect(ci.stdout.at(-1)).toBe('1 passed, 1 failed');
  });
});

describe('text', () => {
  it('slugs headings as GitHub does', () => {
    expect(slugify('Anatomy: three base64url parts')).toBe('anatomy-three-base64url-parts');
    expect(slugify('502 vs 504 at a real proxy')).toBe('502-vs-504-at-a-real-proxy');
    expect(slugify('The flow: auth server, app server, JWKS')).toBe(
      'the-flow-auth-server-app-server-jwks',
    );
    expect(slugify('`Access-Control-Max-Age` and [caching](https://x)')).toBe(
      'access-control-max-age-and-caching',
    );
  });

  it('wraps prose and folds wire lines within the width, keeping their mark', () => {
    expect(wrap('aaa bbb ccc ddd', 8)).toEqual(['aaa bbb', 'ccc ddd']);
    const folded = fold(`< www-authenticate: ${'x'.repeat(30)}, error="invalid_token"`, 40);
    expect(folded.every((l) => l.startsWith('<') && l.length <= 40)).toBe(true);
    expect(folded.join('').replace(/<\s+/g, '')).toContain('error="invalid_token"');
  });
});
