// "Will a browser let this page call this API?" Sends what a browser would send (the preflight
// when one is needed, then the request) with undici, and applies the Fetch standard's checks from
// fetch-rules.ts to the answers. undici itself enforces nothing: the checks are ours.

import { type Dispatcher, request } from 'undici';
import type { WireTurn } from '../kit/http-wire.ts';
import {
  type Classification,
  type CorsRequest,
  type CorsResponse,
  chromiumReads,
  classify,
  corsCheck,
  exposedHeaderNames,
  forbiddenInput,
  normalizeMethod,
  preflightCheck,
  unsafeHeaderNames,
  type Verdict,
} from './fetch-rules.ts';

/** Bad input or an unreachable host: the CLI prints the message and exits 2. */
export class CheckInputError extends Error {
  override name = 'CheckInputError';
}

export interface Exchange {
  method: string;
  url: string;
  /** The request header fields as sent (besides Host and Connection). */
  sent: [string, string][];
  status: number;
  received: [string, string][];
}

export interface CheckResult {
  classification: Classification;
  /** The preflight (when one was needed) and the request (when the preflight allowed it). */
  exchanges: Exchange[];
  verdict: Verdict;
  /** Response header names a page could read, when the response is shared. */
  exposed?: string[];
  /** Things that do not change the verdict but bite in production. */
  warnings: string[];
}

async function send(
  method: string,
  url: string,
  sent: [string, string][],
  dispatcher?: Dispatcher,
): Promise<Exchange> {
  let res: Dispatcher.ResponseData;
  try {
    res = await request(url, {
      method: method as Dispatcher.HttpMethod,
      headers: Object.fromEntries(sent),
      dispatcher,
      headersTimeout: 5000,
      bodyTimeout: 5000,
    });
  } catch (err) {
    const e = err as { code?: string; cause?: { code?: string }; message?: string };
    const code = e.code ?? e.cause?.code ?? e.message;
    throw new CheckInputError(`cannot reach ${new URL(url).host}: ${code}`);
  }
  await res.body.dump();
  const received: [string, string][] = [];
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined)
      received.push([name, Array.isArray(value) ? value.join(', ') : String(value)]);
  }
  return { method, url, sent, status: res.statusCode, received };
}

function asResponse(x: Exchange): CorsResponse {
  return { status: x.status, headers: new Map(x.received) };
}

/** Runs the check: classify, preflight if needed, request if allowed, verdict. */
export async function checkCors(req: CorsRequest, dispatcher?: Dispatcher): Promise<CheckResult> {
  const bad = forbiddenInput(req);
  if (bad) throw new CheckInputError(bad);
  const method = normalizeMethod(req.method);
  const r: CorsRequest = { ...req, method };
  const classification = classify(r);
  const exchanges: Exchange[] = [];
  const warnings: string[] = [];
  if (!classification.crossOrigin) {
    exchanges.push(await send(method, r.url, r.headers, dispatcher));
    return { classification, exchanges, verdict: { ok: true }, warnings };
  }
  let preflight: Verdict = { ok: true };
  if (classification.preflight) {
    // The preflight: no credentials, none of the page's headers; just what is being asked.
    const ask: [string, string][] = [
      ['Origin', r.origin],
      ['Access-Control-Request-Method', method],
    ];
    const names = unsafeHeaderNames(r.headers);
    if (names.length) ask.push(['Access-Control-Request-Headers', names.join(',')]);
    ask.push(['Accept', '*/*']);
    const pre = await send('OPTIONS', r.url, ask, dispatcher);
    exchanges.push(pre);
    preflight = preflightCheck(r, asResponse(pre));
    // A browser stops here; Chromium goes on where only the standard refuses (then we do too).
    if (!chromiumReads(preflight))
      return { classification, exchanges, verdict: preflight, warnings };
  }
  const real = await send(method, r.url, [...r.headers, ['Origin', r.origin]], dispatcher);
  exchanges.push(real);
  const res = asResponse(real);
  const checked = corsCheck(r, res);
  const verdict = checked.ok ? preflight : checked;
  const acao = res.headers.get('access-control-allow-origin');
  const vary = (res.headers.get('vary') ?? '').toLowerCase();
  if (acao !== undefined && acao !== '*' && !/(^|,)\s*(origin|\*)\s*(,|$)/.test(vary))
    warnings.push(
      'Access-Control-Allow-Origin names one origin but the response has no Vary: Origin, ' +
        'so an HTTP cache may serve this answer to another origin',
    );
  if (acao === 'null')
    warnings.push('Access-Control-Allow-Origin: null also admits every sandboxed page');
  const exposed = chromiumReads(verdict) ? exposedHeaderNames(r, res) : undefined;
  return { classification, exchanges, verdict, exposed, warnings };
}

const SHOWN = /^(access-control-|vary$|location$|content-type$|cache-control$|x-|set-cookie$)/;

/** An exchange as the kit prints it (`> request` / `< response`); `redact` hides ports and ids. */
export function exchangeTurns(x: Exchange, redact: (s: string) => string = (s) => s): WireTurn[] {
  const u = new URL(x.url);
  const sent: [string, string][] = [['Host', u.host], ...x.sent];
  const received = x.received.filter(([n]) => SHOWN.test(n));
  return [
    {
      dir: '>',
      startLine: redact(`${x.method} ${u.pathname}${u.search} HTTP/1.1`),
      headers: sent.map(([n, v]): [string, string] => [n, redact(v)]),
    },
    {
      dir: '<',
      startLine: `HTTP/1.1 ${x.status}`,
      headers: received.map(([n, v]): [string, string] => [headerCase(n), redact(v)]),
    },
  ];
}

export function headerCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
}
