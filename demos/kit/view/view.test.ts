// The browser view, driven in the real Chromium: every note renders with a panel per step, a
// Node-only demo run from the page shows the CLI's claims with the CLI's outcomes, a step whose
// service is missing says which and how to start it, no console errors, and the static export
// opens from file://. Screenshots go to .cache/view-artifacts/ (not committed) for a person to see.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIO } from '../capture.ts';
import { type Chromium, launchChromium } from '../chromium.ts';
import { runCli } from '../cli.ts';
import { serviceEnv } from '../endpoints.ts';
import { CHECKOUT_CACHE } from '../paths.ts';
import { loadDemos } from '../registry.ts';
import type { DemoResult } from '../run.ts';
import { fileNeeds } from '../vitest.ts';
import { exportSite } from './export.ts';
import { startView, type ViewServer } from './server.ts';

const demos = await loadDemos();
// Labs are checked in a folder of this test's own, with progress kept in a state folder of its own.
const scratch = mkdtempSync(join(tmpdir(), 'wirenotes-view-'));
// The services' CA stays where the user's state has it (the exported tls demo talks to nginx).
process.env.NGINX_CA_FILE ??= serviceEnv('nginx').NGINX_CA_FILE;
process.env.WIRENOTES_STATE_DIR = join(scratch, 'state');
const labsRoot = join(scratch, 'labs');
const ARTIFACTS = join(CHECKOUT_CACHE, 'view-artifacts');

describe('the browser view', () => {
  let browser: Chromium;
  let view: ViewServer;
  const errors: string[] = [];

  const open = async (url: string, width = 1280): Promise<Page> => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width, height: 900 });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${url}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`${url}: ${e.message}`));
    await page.goto(url);
    return page;
  };

  /** The claims of every panel, as the page lists them: "✓ claim" per item. */
  const pageClaims = (page: Page) =>
    page.locator('.panel .claim').evaluateAll((items) => items.map((i) => i.textContent ?? ''));

  // Locally a missing Chromium skips these tests with its reason; under CI=true it fails them.
  const chromium = fileNeeds(['chromium']);

  beforeAll(async () => {
    if (!chromium.ready()) return;
    browser = await launchChromium();
    view = await startView(demos, 0, labsRoot);
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await view?.close();
    await browser?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('a lab panel beside its section: Check streams the claims and the first hint', async () => {
    const jwt = demos.find((d) => d.id === 'jwt') as (typeof demos)[number];
    const ws = join(labsRoot, 'jwt', 'pin-algorithms');
    expect(await runCli(jwt, ['lab', 'pin-algorithms', '--dir', ws], [], captureIO())).toBe(0);
    const page = await open(`${view.url}/jwt`);
    expect(await page.locator('section.labs a[href="#lab-pin-algorithms"]').count()).toBe(1);
    const panel = page.locator('#lab-pin-algorithms');
    await panel.getByRole('button', { name: 'Check' }).click();
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>('#lab-pin-algorithms')?.dataset.state === 'failed',
      undefined,
      { timeout: 60_000 },
    );
    const text = (await panel.textContent()) ?? '';
    expect(text).toMatch(/✗ alg "none" is refused/);
    expect(text).toMatch(/hint 1\/3: /);
    await panel.screenshot({ path: join(ARTIFACTS, 'lab-panel.png') });
    await page.close();
  });

  it('lists every topic with its readiness', async () => {
    const page = await open(`${view.url}/`);
    for (const d of demos) await expect(page.getByRole('link', { name: d.title })).toBeDefined();
    const links = await page.locator('.topics a').count();
    expect(links).toBe(demos.length);
    await page.close();
  });

  for (const demo of demos) {
    it(`renders notes/${demo.id}.md with a panel and a Run button for every step`, async () => {
      const page = await open(`${view.url}/${demo.id}`);
      const missing: string[] = [];
      for (const s of demo.steps) {
        if (!(await page.getByRole('button', { name: `Run ${s.id}`, exact: true }).count()))
          missing.push(s.id);
      }
      expect(missing).toEqual([]);
      // GitHub's anchors: a link to the step's section lands on a heading with that id.
      for (const s of demo.steps) expect(await page.locator(`[id="${s.section}"]`).count()).toBe(1);
      await page.close();
    });
  }

  it('runs the JWT demo from the page with the claims and outcomes of the CLI', async () => {
    const jwt = demos.find((d) => d.id === 'jwt');
    if (!jwt) throw new Error('no jwt demo');
    const io = captureIO();
    await runCli(jwt, ['--json'], [], io);
    const cli = JSON.parse(io.stdout.join('\n')) as DemoResult;
    const expected = cli.steps.flatMap((s) => s.claims.map((c) => `${c.ok ? '✓' : '✗'} ${c.text}`));

    const page = await open(`${view.url}/jwt`);
    await page.getByRole('button', { name: 'Run anatomy', exact: true }).click();
    await page.locator('#step-anatomy[data-state="passed"]').waitFor();
    expect((await pageClaims(page)).every((c) => c.startsWith('✓'))).toBe(true);

    await page.getByRole('button', { name: 'Run all' }).click();
    for (const s of jwt.steps) {
      await page
        .locator(`#step-${s.id}:is([data-state="passed"], [data-state="failed"])`)
        .waitFor();
    }
    const shown = (await pageClaims(page)).map((c) => c.split(' — expected')[0]);
    expect(shown).toEqual(expected);
    await page.screenshot({ path: join(ARTIFACTS, 'jwt-1280.png'), fullPage: false });
    await page.close();
  });

  it('says which service a step needs and how to start it when it is missing', async () => {
    const kafka = demos.find((d) => d.id === 'kafka');
    if (!kafka?.steps[0]) throw new Error('no kafka demo');
    const saved = process.env.KAFKA_BROKERS;
    process.env.KAFKA_BROKERS = '127.0.0.1:1';
    try {
      const page = await open(`${view.url}/kafka`, 390);
      const id = kafka.steps[0].id;
      await page.getByRole('button', { name: `Run ${id}`, exact: true }).click();
      const message = page.locator(`#step-${id} .missing`);
      await message.waitFor();
      expect(await message.textContent()).toMatch(
        /kafka.*127\.0\.0\.1:1.*npm run services -- up kafka/,
      );
      await page.screenshot({ path: join(ARTIFACTS, 'kafka-390.png'), fullPage: false });
      await page.close();
    } finally {
      if (saved === undefined) delete process.env.KAFKA_BROKERS;
      else process.env.KAFKA_BROKERS = saved;
    }
  });

  it('exports a static site that opens from file:// with the recorded panels', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wirenotes-export-'));
    try {
      const picked = demos.filter((d) => d.id === 'jwt' || d.id === 'tls');
      const results = await exportSite(picked, dir, () => {});
      expect(results.map((r) => r.passed)).toEqual(picked.map((d) => d.steps.length));
      const page = await open(pathToFileURL(join(dir, 'tls.html')).href);
      expect(await page.locator('.panel .claim').count()).toBeGreaterThan(0);
      expect(await page.getByRole('button', { name: /^Run / }).count()).toBe(0);
      const diagrams = page.locator('pre.mermaid');
      for (let i = 0; i < (await diagrams.count()); i++) {
        await diagrams.nth(i).locator('svg').waitFor();
      }
      await page.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('logged no console errors on any page', () => {
    expect(errors).toEqual([]);
  });
});
