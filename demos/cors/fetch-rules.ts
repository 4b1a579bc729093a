// The Fetch standard's CORS rules as pure functions: origins, which requests need a preflight,
// and the checks a browser applies to a preflight and to a response. No I/O here; checker.ts
// sends the requests and the demo compares these verdicts with what Chromium really does.
// Spec: https://fetch.spec.whatwg.org/ (§2.2.1 methods, §2.2.2 headers, §3.2 the CORS protocol,
// and the algorithms "CORS-preflight fetch", "CORS-preflight cache" and "CORS check").

type Credentials = 'omit' | 'same-origin' | 'include';

/** A request as a page's fetch() would make it: the method and the headers the script set. */
export interface CorsRequest {
  url: string;
  /** The page's serialized origin, e.g. `http://127.0.0.1:8080`, or `null` (opaque). */
  origin: string;
  method: string;
  headers: [string, string][];
  credentials: Credentials;
}

/** A response as the checks need it: the status and the header fields (names lower-case). */
export interface CorsResponse {
  status: number;
  headers: Map<string, string>;
}

/** `chromiumAllows`: blocked by the standard, yet Chromium lets it through. */
export type Verdict = { ok: true } | { ok: false; reason: string; chromiumAllows?: boolean };

/** Would Chromium let the page read the response? */
export function chromiumReads(v: Verdict): boolean {
  return v.ok || v.chromiumAllows === true;
}

/** The serialized origin of a URL (scheme://host[:port]), per the URL standard. */
function originOf(url: string): string {
  return new URL(url).origin;
}

/** Same origin means the same scheme, host and port (an origin is that triple). */
export function sameOrigin(a: string, b: string): { same: boolean; differs: string[] } {
  const x = new URL(a);
  const y = new URL(b);
  const differs: string[] = [];
  if (x.protocol !== y.protocol) differs.push('scheme');
  if (x.hostname !== y.hostname) differs.push('host');
  if (effectivePort(x) !== effectivePort(y)) differs.push('port');
  return { same: differs.length === 0, differs };
}

function effectivePort(u: URL): string {
  if (u.port) return u.port;
  return u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : '';
}

const NORMALIZED = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'];
const FORBIDDEN_METHODS = ['CONNECT', 'TRACE', 'TRACK'];
const SAFELISTED_METHODS = ['GET', 'HEAD', 'POST'];
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** fetch() upper-cases six well-known methods and leaves every other one as written. */
export function normalizeMethod(method: string): string {
  const upper = method.toUpperCase();
  return NORMALIZED.includes(upper) ? upper : method;
}

/** Why a page could not send this request at all (fetch() throws), or undefined. */
export function forbiddenInput(req: Pick<CorsRequest, 'method' | 'headers'>): string | undefined {
  if (!TOKEN.test(req.method)) return `"${req.method}" is not a valid method name`;
  if (FORBIDDEN_METHODS.includes(req.method.toUpperCase()))
    return `${req.method.toUpperCase()} is a forbidden method: fetch() refuses to send it`;
  for (const [name] of req.headers) {
    if (!TOKEN.test(name)) return `"${name}" is not a valid header name`;
    if (isForbiddenHeader(name))
      return `${name} is a forbidden request header: a page cannot set it, the browser does`;
  }
  return undefined;
}

const FORBIDDEN_HEADERS = new Set([
  'accept-charset',
  'accept-encoding',
  'access-control-request-headers',
  'access-control-request-method',
  'connection',
  'content-length',
  'cookie',
  'cookie2',
  'date',
  'dnt',
  'expect',
  'host',
  'keep-alive',
  'origin',
  'referer',
  'set-cookie',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'via',
]);

function isForbiddenHeader(name: string): boolean {
  const n = name.toLowerCase();
  return FORBIDDEN_HEADERS.has(n) || n.startsWith('proxy-') || n.startsWith('sec-');
}

/** CORS-unsafe request-header bytes (Fetch §2.2.2). */
function hasUnsafeByte(value: string): boolean {
  for (const ch of value) {
    const c = ch.codePointAt(0) as number;
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
    if ('"():<>?@[\\]{}'.includes(ch)) return true;
  }
  return false;
}

const SAFE_CONTENT_TYPES = [
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
];

/** Why this header is not CORS-safelisted, or undefined when it is. */
function unsafeHeaderReason(name: string, value: string): string | undefined {
  const n = name.toLowerCase();
  if (Buffer.byteLength(value) > 128) return `${n}: values over 128 bytes are not safelisted`;
  switch (n) {
    case 'accept':
      return hasUnsafeByte(value) ? `${n}: the value has a CORS-unsafe byte` : undefined;
    case 'accept-language':
    case 'content-language':
      return /^[0-9A-Za-z *,\-.;=]*$/.test(value)
        ? undefined
        : `${n}: only letters, digits, space and *,-.;= are safelisted`;
    case 'content-type': {
      if (hasUnsafeByte(value)) return `${n}: the value has a CORS-unsafe byte`;
      const essence = value.split(';')[0]?.trim().toLowerCase() ?? '';
      return SAFE_CONTENT_TYPES.includes(essence)
        ? undefined
        : `content-type ${essence || '(empty)'} is not form, multipart or text/plain`;
    }
    case 'range':
      return /^bytes=\d+-\d*$/.test(value) ? undefined : 'range: only one bytes=N- or N-M range';
    default:
      return `${n} is not a CORS-safelisted request header`;
  }
}

/** CORS-unsafe request-header names: sorted, lower-case, as Access-Control-Request-Headers. */
export function unsafeHeaderNames(headers: [string, string][]): string[] {
  const unsafe = new Set<string>();
  let safelistedBytes = 0;
  for (const [name, value] of headers) {
    if (unsafeHeaderReason(name, value) === undefined) safelistedBytes += Buffer.byteLength(value);
    else unsafe.add(name.toLowerCase());
  }
  if (safelistedBytes > 1024) {
    for (const [name] of headers) unsafe.add(name.toLowerCase());
  }
  return [...unsafe].sort();
}

export interface Classification {
  crossOrigin: boolean;
  preflight: boolean;
  /** Why a preflight is needed (empty when none is). */
  reasons: string[];
}

/** Does a page's fetch() of this request cross origins, and must the browser preflight it? */
export function classify(req: CorsRequest): Classification {
  const crossOrigin = req.origin === 'null' || originOf(req.url) !== req.origin;
  const reasons: string[] = [];
  const method = normalizeMethod(req.method);
  if (!SAFELISTED_METHODS.includes(method))
    reasons.push(`method ${method} is not GET, HEAD or POST`);
  for (const [name, value] of req.headers) {
    const why = unsafeHeaderReason(name, value);
    if (why) reasons.push(why);
  }
  if (reasons.length === 0 && unsafeHeaderNames(req.headers).length > 0)
    reasons.push('safelisted header values total more than 1024 bytes');
  return { crossOrigin, preflight: crossOrigin && reasons.length > 0, reasons };
}

/** The CORS check (Fetch, "CORS check"): may this response be shared with the request's origin? */
export function corsCheck(req: CorsRequest, res: CorsResponse, what = 'response'): Verdict {
  const acao = res.headers.get('access-control-allow-origin');
  if (acao === undefined)
    return { ok: false, reason: `${what} has no Access-Control-Allow-Origin header` };
  const include = req.credentials === 'include';
  if (acao === '*' && !include) return { ok: true };
  if (acao === '*')
    return {
      ok: false,
      reason: `${what}'s Access-Control-Allow-Origin is *, which credentials rule out`,
    };
  if (acao !== req.origin)
    return { ok: false, reason: `${what} allows origin ${acao}, not ${req.origin}` };
  if (!include) return { ok: true };
  const acac = res.headers.get('access-control-allow-credentials');
  if (acac !== 'true')
    return {
      ok: false,
      reason: `${what} lacks Access-Control-Allow-Credentials: true for a credentialed request`,
    };
  return { ok: true };
}

/** Splits a comma-separated list of tokens; undefined when an item is not a token. */
function tokens(value: string | undefined): string[] | undefined {
  if (value === undefined) return [];
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.every((i) => TOKEN.test(i)) ? items : undefined;
}

/** The checks of a CORS-preflight fetch (Fetch, "CORS-preflight fetch") on the preflight's response. */
export function preflightCheck(req: CorsRequest, res: CorsResponse): Verdict {
  if (res.status >= 300 && res.status < 400)
    return { ok: false, reason: `preflight was answered by a ${res.status} redirect` };
  const cors = corsCheck(req, res, 'preflight response');
  if (!cors.ok) return cors;
  if (res.status < 200 || res.status > 299)
    return { ok: false, reason: `preflight status ${res.status} is not 2xx` };
  const methods = tokens(res.headers.get('access-control-allow-methods'));
  const names = tokens(res.headers.get('access-control-allow-headers'));
  if (!methods) return { ok: false, reason: 'preflight Access-Control-Allow-Methods is malformed' };
  if (!names) return { ok: false, reason: 'preflight Access-Control-Allow-Headers is malformed' };
  const include = req.credentials === 'include';
  const method = normalizeMethod(req.method);
  const methodStar = methods.includes('*') && !include;
  if (!SAFELISTED_METHODS.includes(method) && !methods.includes(method) && !methodStar) {
    const star = methods.includes('*') ? ' (* does not count with credentials)' : '';
    return {
      ok: false,
      reason: `preflight response lacks Access-Control-Allow-Methods for ${method}${star}`,
    };
  }
  const allowed = new Set(names.map((n) => n.toLowerCase()));
  const requested = new Set(req.headers.map(([n]) => n.toLowerCase()));
  let authorization: Verdict = { ok: true };
  if (requested.has('authorization') && !allowed.has('authorization')) {
    // Fetch: `*` never covers Authorization (a CORS non-wildcard request-header name). Chromium
    // does not enforce this (observed in the demo), so the request still passes there.
    const starCovers = allowed.has('*') && !include;
    authorization = {
      ok: false,
      reason: starCovers
        ? 'preflight Access-Control-Allow-Headers: * never covers authorization (Chromium allows it)'
        : 'preflight response lacks Access-Control-Allow-Headers for authorization',
      chromiumAllows: starCovers,
    };
    if (!starCovers) return authorization;
  }
  for (const name of unsafeHeaderNames(req.headers)) {
    if (name === 'authorization') continue;
    if (allowed.has(name) || (allowed.has('*') && !include)) continue;
    const star = allowed.has('*') ? ' (* does not count with credentials)' : '';
    return {
      ok: false,
      reason: `preflight response lacks Access-Control-Allow-Headers for ${name}${star}`,
    };
  }
  return authorization;
}

/** How long a browser may reuse this preflight (Fetch "CORS-preflight cache": default 5 s; Chromium caps at 2 h). */
export function preflightMaxAge(res: CorsResponse, cap = 7200): number {
  const raw = res.headers.get('access-control-max-age');
  if (raw === undefined || !/^\d+$/.test(raw.trim())) return 5;
  return Math.min(Number(raw.trim()), cap);
}

/** CORS-safelisted response-header names (Fetch §2.2.2): what any page may read. */
const SAFELISTED_RESPONSE_HEADERS = [
  'cache-control',
  'content-language',
  'content-length',
  'content-type',
  'expires',
  'last-modified',
  'pragma',
];

/** The response header names a page's script can read after a CORS response is shared. */
export function exposedHeaderNames(req: CorsRequest, res: CorsResponse): string[] {
  const listed = tokens(res.headers.get('access-control-expose-headers')) ?? [];
  const exposed = new Set(listed.map((n) => n.toLowerCase()));
  const all = exposed.has('*') && req.credentials !== 'include';
  return [...res.headers.keys()]
    .filter((n) => n !== 'set-cookie' && n !== 'set-cookie2')
    .filter((n) => all || SAFELISTED_RESPONSE_HEADERS.includes(n) || exposed.has(n))
    .sort();
}
