// Headless Chromium (Debian's `chromium`, driven by playwright-core) making fetch() calls from a
// page on a chosen origin, and reporting what the page could see: the body, the readable header
// names, or the error fetch() rejected with, plus Chromium's own console explanation.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { endpoints } from '../kit/services.ts';

/** Host names Chromium resolves to 127.0.0.1 (its own resolver rule: no DNS, no network). */
const MAPPED_HOSTS = ['*.example.test', 'evilexample.com', '*.example.com', 'example.com.evil.net'];

/** Chromium's console explanations of a blocked fetch: a CORS failure or mixed content. */
const BLOCKED = /CORS policy|Mixed Content/;

/** What a page saw when it called fetch(). */
export interface PageOutcome {
  /** fetch() resolved: the page could read the response. */
  readable: boolean;
  status?: number;
  body?: string;
  /** Header names the page's script could read (Headers iteration). */
  headerNames?: string[];
  /** The rejection, e.g. `TypeError: Failed to fetch`. */
  error?: string;
  /** The origin the page really had (location.origin, or "null" in a sandboxed frame). */
  pageOrigin: string;
  /** Chromium's console message explaining a CORS failure, if it printed one. */
  console?: string;
}

export interface FetchInit {
  method?: string;
  headers?: [string, string][];
  body?: string;
  credentials?: 'omit' | 'same-origin' | 'include';
  cache?: 'default' | 'no-store';
}

// Runs in the page: fetch, then report what a script can observe.
const pageFetch = async ([url, init]: [string, FetchInit]) => {
  try {
    const r = await fetch(url, init as RequestInit);
    const headerNames = [...r.headers.keys()];
    const body = await r.text();
    return { readable: true, status: r.status, body, headerNames, origin: self.origin };
  } catch (e) {
    return { readable: false, error: String(e), origin: self.origin };
  }
};

export class DemoBrowser {
  private pages = new Map<string, Page>();

  private constructor(
    private readonly context: BrowserContext,
    private readonly profile: string,
    /** Chromium's version as it reports itself (its user agent's product token). */
    readonly version: string,
  ) {}

  /** Launches Chromium once, headless, with a throwaway profile and no outside connections. */
  static async launch(): Promise<DemoBrowser> {
    const profile = mkdtempSync(join(tmpdir(), 'wirenotes-cors-'));
    try {
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: endpoints.chromiumPath,
        headless: true,
        // The mixed-content step's https page has a certificate made at run time.
        ignoreHTTPSErrors: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          `--host-resolver-rules=${MAPPED_HOSTS.map((h) => `MAP ${h} 127.0.0.1`).join(', ')}`,
        ],
      });
      // The user agent string is reduced (156.0.0.0); the DevTools protocol gives the full build.
      const blank = await context.newPage();
      const cdp = await context.newCDPSession(blank);
      const { product } = (await cdp.send('Browser.getVersion')) as { product: string };
      await blank.close();
      const version = /\/([\d.]+)$/.exec(product)?.[1] ?? product;
      return new DemoBrowser(context, profile, version);
    } catch (err) {
      rmSync(profile, { recursive: true, force: true });
      throw err;
    }
  }

  /** A tab showing `${origin}/`, opened once per origin and reused. */
  async page(origin: string): Promise<Page> {
    const open = this.pages.get(origin);
    if (open) return open;
    const page = await this.context.newPage();
    await page.goto(`${origin}/`);
    this.pages.set(origin, page);
    return page;
  }

  /** Opens a URL in a tab of its own (to log in: the server sets a cookie). */
  async visit(url: string): Promise<void> {
    const page = await this.context.newPage();
    await page.goto(url);
    await page.close();
  }

  /** fetch(url, init) from a page on `origin`; in a sandboxed iframe (origin null) if asked. */
  async fetchFrom(
    origin: string,
    url: string,
    init: FetchInit = {},
    sandboxed = false,
  ): Promise<PageOutcome> {
    const page = await this.page(origin);
    const messages: string[] = [];
    const onConsole = (m: { text(): string }) => {
      if (BLOCKED.test(m.text())) messages.push(m.text());
    };
    page.on('console', onConsole);
    try {
      const seen = sandboxed
        ? await page.evaluate(inSandbox, [url, init, pageFetch.toString()] as const)
        : await page.evaluate(pageFetch, [url, init] as [string, FetchInit]);
      // Chromium logs the reason as the fetch fails; give the message a moment to arrive.
      if (!seen.readable && messages.length === 0) {
        await page
          .waitForEvent('console', {
            predicate: (m) => BLOCKED.test(m.text()),
            timeout: 1000,
          })
          .catch(() => undefined);
      }
      return { ...seen, pageOrigin: seen.origin, console: messages[0] };
    } finally {
      page.off('console', onConsole);
    }
  }

  /** Embeds `src` as an <img> in a page on `origin`: whether it loaded, and its width. */
  async loadImage(origin: string, src: string): Promise<{ loaded: boolean; width: number }> {
    const page = await this.page(origin);
    return page.evaluate(
      (url) =>
        new Promise<{ loaded: boolean; width: number }>((resolve) => {
          const img = new Image();
          img.onload = () => resolve({ loaded: true, width: img.naturalWidth });
          img.onerror = () => resolve({ loaded: false, width: 0 });
          img.src = url;
        }),
      src,
    );
  }

  async close(): Promise<void> {
    try {
      await this.context.close();
    } finally {
      rmSync(this.profile, { recursive: true, force: true });
    }
  }
}

// Runs in the page: a sandboxed iframe (no allow-same-origin, so its origin is opaque and its
// requests carry `Origin: null`) runs the same fetch and posts the result back.
async function inSandbox([url, init, fetchSource]: readonly [string, FetchInit, string]) {
  const frame = document.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-scripts');
  const script = `const f = ${fetchSource};
f(${JSON.stringify([url, init])}).then((r) => parent.postMessage(r, '*'));`;
  frame.srcdoc = `<script>${script.replace(/<\//g, '<\\/')}</script>`;
  const result = new Promise<{
    readable: boolean;
    status?: number;
    body?: string;
    headerNames?: string[];
    error?: string;
    origin: string;
  }>((resolve) => {
    addEventListener('message', (e) => resolve(e.data), { once: true });
  });
  document.body.append(frame);
  try {
    return await result;
  } finally {
    frame.remove();
  }
}
