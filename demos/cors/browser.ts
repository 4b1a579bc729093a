// Headless Chromium (Debian's `chromium`, driven by playwright-core) making fetch() calls from a
// page on a chosen origin, and reporting what the page could see: the body, the readable header
// names, or the error fetch() rejected with, plus Chromium's own console explanation.

import { createHash, createPublicKey } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import type { Credentials } from '../kit/cert.ts';
import { type Chromium, launchChromium } from '../kit/chromium.ts';

/** Host names Chromium resolves to 127.0.0.1 (its own resolver rule: no DNS, no network). */
const MAPPED_HOSTS = ['*.example.test', 'evilexample.com', '*.example.com', 'example.com.evil.net'];

/** base64(SHA-256(SubjectPublicKeyInfo)): how --ignore-certificate-errors-spki-list names a key. */
function spkiHash(certPem: string): string {
  const spki = createPublicKey(certPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

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
    private readonly chromium: Chromium,
    /** Chromium's version as it reports itself (the DevTools protocol's product). */
    readonly version: string,
  ) {}

  private get context(): BrowserContext {
    return this.chromium.context;
  }

  /**
   * Launches Chromium once, headless, with a throwaway profile and no outside connections. The
   * certificate of `trusted` (the mixed-content step's https page, made at run time) is accepted
   * by its public key; no other certificate error is ignored.
   */
  static async launch(trusted?: Credentials): Promise<DemoBrowser> {
    const args = [
      `--host-resolver-rules=${MAPPED_HOSTS.map((h) => `MAP ${h} 127.0.0.1`).join(', ')}`,
    ];
    if (trusted) args.push(`--ignore-certificate-errors-spki-list=${spkiHash(trusted.cert)}`);
    const browser = await launchChromium(args);
    try {
      // The user agent string is reduced (156.0.0.0); the DevTools protocol gives the full build.
      const blank = await browser.context.newPage();
      const cdp = await browser.context.newCDPSession(blank);
      const { product } = (await cdp.send('Browser.getVersion')) as { product: string };
      await blank.close();
      return new DemoBrowser(browser, /\/([\d.]+)$/.exec(product)?.[1] ?? product);
    } catch (err) {
      await browser.close();
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

  close(): Promise<void> {
    return this.chromium.close();
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
