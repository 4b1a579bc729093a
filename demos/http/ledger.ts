// What people say about HTTP status codes, methods and versions: seed 000's sections "Which
// status codes do you know?", "Which HTTP methods do you know?" and "Differences between
// HTTP1.0, HTTP1.1 and HTTP2" (translated), lines of seeds 001 and 002, and interview lore. Each
// entry is decided by a claim a step makes, or cited where this machine cannot show it.

import type { LedgerEntry } from '../kit/ledger.ts';

export const ledger: LedgerEntry[] = [
  {
    id: '1xx',
    said: '1xx: informational. The request was received, processing continues.',
    source: 'seed 000:8',
    verdict: 'partly',
    truth:
      'A 1xx is an interim response that never ends the exchange: 100 lets the body be sent, 103 hints at subresources, and a final status always follows (RFC 9110 §15.2).',
    by: { step: 'status-1xx', claim: 'the wire order was: head →, ← 100 Continue, body →, ← 200' },
  },
  {
    id: '200',
    said: '200: OK.',
    source: 'seed 000:9',
    verdict: 'holds',
    truth: 'The request succeeded; for a GET the content is the representation (RFC 9110 §15.3.1).',
    by: { step: 'status-2xx-3xx', claim: 'ETag "v1" → 200' },
  },
  {
    id: '3xx',
    said: '3xx: redirection.',
    source: 'seed 000:10',
    verdict: 'partly',
    truth:
      '301-308 redirect, but 304 Not Modified sends the client nowhere: it says the cached copy is still good (RFC 9110 §15.4.5).',
    by: { step: 'status-2xx-3xx', claim: 'ETag "v1" → 200; If-None-Match "v1" → 304' },
  },
  {
    id: '4xx',
    said: '4xx: errors on the client side.',
    source: 'seed 000:11',
    verdict: 'holds',
    truth:
      'The request is at fault: malformed, unauthenticated, refused, unknown target (RFC 9110 §15.5).',
    by: { step: 'status-4xx', claim: 'unknown path → 404; POST on a GET-only resource → 405' },
  },
  {
    id: '400',
    said: '400 Bad Request: a syntax error in the request.',
    source: 'seed 000:12',
    verdict: 'holds',
    truth:
      "The message itself is broken; Node's parser answers 400 and closes before any handler runs (RFC 9110 §15.5.1).",
    by: { step: 'status-4xx', claim: 'an unknown method in the request line: 400' },
  },
  {
    id: '401',
    said: '401: an authorization error (wrong password, expired token).',
    source: 'seed 000:13',
    verdict: 'holds',
    truth:
      'Not authenticated: no credentials, or ones the server did not accept, such as a wrong password or an expired token (RFC 6750 §3.1 invalid_token); it must carry WWW-Authenticate (RFC 9110 §15.5.2).',
    by: { step: 'status-4xx', claim: 'a wrong password → 401 with the same challenge' },
  },
  {
    id: '403',
    said: '403: access denied, unconditionally.',
    source: 'seed 000:14',
    verdict: 'wrong',
    truth:
      'The server understood who is asking and refuses; it depends on the identity, so other credentials may be allowed (RFC 9110 §15.5.4).',
    by: { step: 'status-4xx', claim: "bob's valid credentials → 403 and no challenge" },
  },
  {
    id: '5xx',
    said: '5xx: errors on the server side.',
    source: 'seed 000:15',
    verdict: 'holds',
    truth: 'The server failed or cannot serve now (RFC 9110 §15.6).',
    by: { step: 'status-5xx', claim: "the third request got Node's own 503" },
  },
  {
    id: '500',
    said: '500: internal server error.',
    source: 'seed 000:16',
    verdict: 'holds',
    truth:
      'The server hit a condition it did not expect, such as a handler that throws (RFC 9110 §15.6.1).',
    by: { step: 'status-5xx', claim: 'the handler threw: 500' },
  },
  {
    id: '502',
    said: '502: the proxy received an invalid response from the real backend.',
    source: 'seed 000:17',
    verdict: 'partly',
    truth:
      'Also when the backend hung up before answering or nothing listens on its port; and a backend dying mid-body gives no 502 at all (RFC 9110 §15.6.3).',
    by: {
      step: 'gateway-502-504',
      claim: 'malformed header, hang-up before a response, nothing listening: each a 502',
    },
  },
  {
    id: '504',
    said: "504 Gateway Timeout: the proxy did not wait for the real backend's answer.",
    source: 'seed 000:18',
    verdict: 'holds',
    truth:
      'The backend accepted the request and did not answer within the proxy timeout; it may still finish the work (RFC 9110 §15.6.5).',
    by: { step: 'gateway-502-504', claim: 'an upstream slower than proxy_read_timeout: 504' },
  },
  {
    id: 'rfc7231',
    said: 'Read: RFC 7231.',
    source: 'seed 000:20',
    verdict: 'wrong',
    truth:
      'RFC 7231 is obsolete: RFC 9110 (semantics), 9111 (caching) and 9112 (HTTP/1.1) replaced RFC 7230-7235 in June 2022.',
    by: {
      cited: 'RFC 9110 header: "Obsoletes: 2818, 7230, 7231, 7232, 7233, 7235, 7538, 7615, 7694"',
      why: 'the status of a document, not a behaviour any server shows',
    },
  },
  {
    id: 'methods-table',
    said: 'The methods: GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE.',
    source: 'seed 000:28',
    verdict: 'partly',
    truth:
      "Those are RFC 9110's; PATCH (RFC 5789) is missing, and it is the one that is neither safe nor idempotent besides POST.",
    by: { step: 'safe-and-idempotent', claim: 'an appending PATCH applied twice appended twice' },
  },
  {
    id: 'get',
    said: 'GET: transfer a current representation of the target resource.',
    source: 'seed 000:30',
    verdict: 'holds',
    truth: 'And it is safe: the client asks for no change (RFC 9110 §9.3.1, §9.2.1).',
    by: { step: 'safe-and-idempotent', claim: 'GET changed nothing on the server (safe)' },
  },
  {
    id: 'head',
    said: 'HEAD: same as GET, but only the status line and header section.',
    source: 'seed 000:32',
    verdict: 'holds',
    truth:
      'The same fields GET would send, Content-Length included, and no content (RFC 9110 §9.3.2).',
    by: {
      step: 'safe-and-idempotent',
      claim: 'HEAD answered with the headers GET sends and no body',
    },
  },
  {
    id: 'post',
    said: 'POST: perform resource-specific processing on the request payload.',
    source: 'seed 000:34',
    verdict: 'holds',
    truth: 'And it is not idempotent: two POSTs make two resources (RFC 9110 §9.3.3).',
    by: { step: 'safe-and-idempotent', claim: 'POST twice made two items' },
  },
  {
    id: 'put',
    said: 'PUT: replace all current representations of the target resource with the payload.',
    source: 'seed 000:36',
    verdict: 'holds',
    truth:
      'It replaces or creates (201 the first time, 200 after), and repeating it leaves the same state (RFC 9110 §9.3.4).',
    by: { step: 'safe-and-idempotent', claim: 'PUT twice leaves the state PUT once left' },
  },
  {
    id: 'delete',
    said: 'DELETE: remove all current representations of the target resource.',
    source: 'seed 000:38',
    verdict: 'holds',
    truth:
      'Idempotent although a second DELETE gets 404: the state is what one DELETE left (RFC 9110 §9.3.5).',
    by: { step: 'safe-and-idempotent', claim: 'DELETE twice: same state as once' },
  },
  {
    id: 'connect',
    said: 'CONNECT: establish a tunnel to the server identified by the target resource.',
    source: 'seed 000:40',
    verdict: 'holds',
    truth: 'After a 2xx the proxy only relays bytes (RFC 9110 §9.3.6).',
    by: {
      step: 'options-trace-connect',
      claim: 'the proxy answered CONNECT with 2xx and then only relayed bytes',
    },
  },
  {
    id: 'options',
    said: 'OPTIONS: describe the communication options for the target resource.',
    source: 'seed 000:42',
    verdict: 'holds',
    truth: 'The answer lists them in Allow (RFC 9110 §9.3.7, §10.2.1).',
    by: { step: 'options-trace-connect', claim: 'OPTIONS /items/1 answered 204 with Allow' },
  },
  {
    id: 'trace',
    said: 'TRACE: perform a message loop-back test along the path to the target resource.',
    source: 'seed 000:44',
    verdict: 'holds',
    truth:
      'The body is the request as received, minus sensitive fields; nginx refuses TRACE with 405 (RFC 9110 §9.3.8).',
    by: { step: 'options-trace-connect', claim: 'the TRACE body starts with our request line' },
  },
  {
    id: 'http10-host',
    said: 'HTTP/1.0 did not support the Host header.',
    source: 'seed 000:82',
    verdict: 'wrong',
    truth:
      'RFC 1945 does not define Host, so it was optional: 1.0 clients sent it and servers read it; HTTP/1.1 made it mandatory.',
    by: {
      step: 'http10',
      claim: 'a 1.0 request may carry Host all the same, and the server reads it',
    },
  },
  {
    id: 'http10-connection',
    said: 'HTTP/1.0 opened a separate connection for every request.',
    source: 'seed 000:83',
    verdict: 'partly',
    truth:
      'That was the default; the Connection: keep-alive extension reused connections before 1.1.',
    by: {
      step: 'http10',
      claim: 'with Connection: keep-alive, two 1.0 requests shared one connection',
    },
  },
  {
    id: 'http11-persistent',
    said: 'HTTP/1.1 supports persistent connections.',
    source: 'seed 000:86',
    verdict: 'holds',
    truth: 'They are the default (RFC 9112 §9.3).',
    by: { step: 'http11', claim: 'keep-alive: 5 sequential requests, 1 connection' },
  },
  {
    id: 'http11-reuse',
    said: 'In HTTP/1.1 one connection can be used for several requests.',
    source: 'seed 000:87',
    verdict: 'partly',
    truth:
      'One after another only: N concurrent requests need N connections (pipelining is unused).',
    by: { step: 'http11', claim: '5 concurrent HTTP/1.1 requests needed 5 connections' },
  },
  {
    id: 'http11-options',
    said: 'HTTP/1.1 added the OPTIONS method.',
    source: 'seed 000:88',
    verdict: 'holds',
    truth:
      'RFC 1945 defines only GET, HEAD and POST; OPTIONS (with PUT, DELETE, TRACE) came with RFC 2068 (1997).',
    by: {
      cited: 'RFC 1945 §8 (GET, HEAD, POST); RFC 2068 §9.2 (OPTIONS)',
      why: 'history: no HTTP/1.0-only server is at hand to refuse OPTIONS',
    },
  },
  {
    id: 'h2-tls',
    said: 'HTTP/2: TLS support.',
    source: 'seed 000:91',
    verdict: 'wrong',
    truth:
      'HTTP/2 contains no TLS; it runs over TLS (h2) or cleartext TCP (h2c), and HTTPS dates from 1994.',
    by: { step: 'h2c-framing-hpack', claim: 'cleartext TCP carried HTTP/2' },
  },
  {
    id: 'h2-binary-saves',
    said: 'HTTP/2 transfers in binary form, which saves traffic.',
    source: 'seed 000:92',
    verdict: 'partly',
    truth:
      'The saving is HPACK header compression and one connection; binary framing is about parsing.',
    by: {
      step: 'h2c-framing-hpack',
      claim: 'HPACK: the repeated request cost under a quarter of the first',
    },
  },
  {
    id: 'h2-encoding',
    said: 'HTTP/2 has no problems with encoding.',
    source: 'seed 000:93',
    verdict: 'partly',
    truth:
      "Frames carry their own length, so there is no Content-Length/chunked ambiguity to parse; field values keep HTTP/1.1's rules (RFC 9113 §4.1, §8.2.1).",
    by: {
      step: 'h2c-framing-hpack',
      claim: 'the first frame after the preface is SETTINGS on stream 0',
    },
  },
  {
    id: 'h2-push',
    said: 'HTTP/2 supports server push.',
    source: 'seed 000:94',
    verdict: 'partly',
    truth:
      'RFC 9113 §8.4 defines it, a client refuses it with SETTINGS_ENABLE_PUSH = 0, and Chrome and Firefox removed it.',
    by: {
      step: 'server-push',
      claim: 'with push enabled the server pushed one stream; with ENABLE_PUSH=0 it could not',
    },
  },
  {
    id: 'h2-multiplexing',
    said: 'HTTP/2 multiplexes requests on one TCP connection.',
    source: 'seed 000:95',
    verdict: 'holds',
    truth: 'Many concurrent streams share one connection (RFC 9113 §5).',
    by: { step: 'http2', claim: '20 concurrent requests: 1 TCP connection, 1 session, 20 streams' },
  },
  {
    id: 'h3-draft',
    said: "HTTP/3 is at the draft stage, though some browsers support it; it is based on QUIC, Google's experimental transport protocol.",
    source: 'seed 000:98',
    verdict: 'wrong',
    truth:
      'HTTP/3 is RFC 9114 (June 2022) over QUIC, RFC 9000 (May 2021): IETF standards, no longer drafts or Google-only.',
    by: {
      cited: 'RFC 9114; RFC 9000',
      why: "no HTTP/3 stack here: the official Node binaries have no QUIC (step http3-quic) and the CORS demo's Chromium runs with --disable-quic",
    },
  },
  {
    id: 'node-quic',
    said: 'Node has no QUIC.',
    source: 'lore',
    verdict: 'depends on version',
    truth:
      'Node 20 and 22 do not know --experimental-quic; Node 24 and 26 accept it, but their official binaries are built without node:quic.',
    by: { step: 'http3-quic', claim: 'on Node ' },
  },
  {
    id: 'stack-trace-500',
    said: 'A global exception handler answers 500 with a generic error and no stack trace.',
    source: 'seed 002:624',
    verdict: 'holds',
    truth: 'The server says it failed without handing its internals to the client.',
    by: {
      step: 'status-5xx',
      claim: 'the handler threw: 500, and the body does not leak the stack',
    },
  },
  {
    id: 'readiness-503',
    said: 'A readiness endpoint answers 503 when the database is unavailable.',
    source: 'seed 002:643',
    verdict: 'holds',
    truth:
      '503 means temporarily unable to serve (RFC 9110 §15.6.4), which is what a not-ready instance is; a kubelet counts any status outside 200-399 as a failed probe.',
    by: { step: 'status-5xx', claim: "the third request got Node's own 503" },
  },
  {
    id: 'error-rate-5xx',
    said: 'Error rate: the proportion of requests that fail (e.g. HTTP 5xx errors).',
    source: 'seed 001:220',
    verdict: 'partly',
    truth:
      'A backend that dies mid-body reaches the client as a 200 with a short body: no 5xx counts it.',
    by: { step: 'gateway-502-504', claim: 'dying mid-body cannot become a 502' },
  },
  {
    id: 'delete-404',
    said: 'DELETE is not idempotent: the second call returns 404.',
    source: 'lore',
    verdict: 'wrong',
    truth: 'Idempotency is about the effect on the server, not the response (RFC 9110 §9.2.2).',
    by: {
      step: 'safe-and-idempotent',
      claim: 'DELETE twice: same state as once, though the responses differ',
    },
  },
  {
    id: 'patch-idempotent',
    said: 'PATCH is idempotent like PUT.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'Whether a patch can be repeated depends on the patch document; an append is not (RFC 5789 §2).',
    by: { step: 'safe-and-idempotent', claim: 'an appending PATCH applied twice appended twice' },
  },
  {
    id: 'redirect-method',
    said: 'A 302 redirect keeps the method and the body.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'Clients turn POST into GET for 301, 302 and 303; only 307 and 308 keep both (Fetch, HTTP-redirect fetch).',
    by: {
      step: 'status-2xx-3xx',
      claim: '301, 302 and 303 turned POST into GET and dropped the body',
    },
  },
  {
    id: '405-501',
    said: '405 and 501 mean the same thing.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      '405 (with Allow) is a method this resource does not accept; 501 is one the server implements nowhere.',
    by: {
      step: 'status-4xx',
      claim: 'unknown path → 404; POST on a GET-only resource → 405 + Allow; PURGE → 501',
    },
  },
  {
    id: '429-retry',
    said: 'A 429 tells the client when to retry.',
    source: 'lore',
    verdict: 'partly',
    truth: 'Only when the server adds Retry-After, which RFC 6585 §4 makes optional (MAY).',
    by: { step: 'status-4xx', claim: '429 says when to come back' },
  },
  {
    id: 'fetch-103',
    said: 'fetch() shows a 103 Early Hints response.',
    source: 'lore',
    verdict: 'wrong',
    truth: 'The Fetch API exposes only the final response; undici reads the 103 and drops it.',
    by: {
      step: 'status-1xx',
      claim: 'fetch resolved with the 200 although its own socket received the 103 first',
    },
  },
  {
    id: 'expect-continue',
    said: 'Expect: 100-continue lets a server refuse a large upload before it is sent.',
    source: 'lore',
    verdict: 'holds',
    truth:
      'The server answers the head with a final status (413) and the body never travels (RFC 9110 §10.1.1).',
    by: { step: 'status-1xx', claim: 'the client never sent the body' },
  },
  {
    id: 'http11-host',
    said: 'HTTP/1.1 requires the Host header.',
    source: 'lore',
    verdict: 'holds',
    truth: 'A 1.1 request without Host must get 400 (RFC 9112 §3.2).',
    by: { step: 'http11', claim: 'an HTTP/1.1 request without Host: 400 from Node' },
  },
  {
    id: 'h2-tls12',
    said: 'HTTP/2 over TLS works with any TLS version.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'RFC 9113 §9.2 requires TLS 1.2 or later; in Node it is the TLS default minimum (TLSv1.2) that refuses older clients, not node:http2.',
    by: {
      step: 'h2-tls-minimum',
      claim: 'with the defaults, a client offering at most TLS 1.1 is refused',
    },
  },
  {
    id: 'node-h2-enforces',
    said: "Node's http2 server enforces HTTP/2's TLS 1.2 minimum itself.",
    source: 'lore',
    verdict: 'wrong',
    truth:
      'Configured down to TLS 1.0, node:http2 negotiates h2 over TLS 1.1 and sends no INADEQUATE_SECURITY.',
    by: {
      step: 'h2-tls-minimum',
      claim: 'configured down to TLS 1.0, node:http2 picks h2 over TLS 1.1',
    },
  },
  {
    id: 'client-headers-list',
    said: 'The headers a client sends in an HTTP request: Host, User-Agent, Accept.',
    source: 'seed 000:242',
    verdict: 'partly',
    truth:
      'Only Host is required in HTTP/1.1 (RFC 9112 §3.2); User-Agent and Accept are optional, and a server answers without them.',
    by: { step: 'client-headers', claim: 'node:http sent no User-Agent and no Accept' },
  },
  {
    id: 'fetch-same-headers',
    said: "Node's fetch is undici, so it sends what the undici package sends.",
    source: 'lore',
    verdict: 'partly',
    truth:
      "Same header names, different values: User-Agent node vs undici, and Accept-Encoding differs by scheme and by the bundled undici's version.",
    by: {
      step: 'client-headers',
      claim: "User-Agent: 'node' from Node's built-in fetch, 'undici' from the undici package",
    },
  },
  {
    id: 'fetch-br',
    said: 'fetch always offers br (Brotli).',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'Over plain http both fetches offer gzip and deflate only; br (and zstd with undici 8) only over https.',
    by: {
      step: 'client-headers',
      claim: 'over plain http both fetches offer Accept-Encoding: gzip, deflate',
    },
  },
  {
    id: 'nginx-504-log',
    said: "nginx's error log tells a slow backend from a dead one.",
    source: 'lore',
    verdict: 'holds',
    truth:
      "'upstream timed out (110: Connection timed out)' for the 504; 'connect() failed (111: Connection refused)' and 'upstream prematurely closed connection' for the 502s.",
    by: { step: 'gateway-error-log', claim: 'slow: 504 and the log line' },
  },
  {
    id: 'connect-anywhere',
    said: "A proxy's CONNECT tunnels to whatever host:port the client names.",
    source: 'lore',
    verdict: 'wrong',
    truth:
      'A proxy restricts its targets (Squid allows port 443 only); an unrestricted one hands its network, databases included, to every client.',
    by: {
      step: 'options-trace-connect',
      claim: 'a CONNECT to a loopback port that is not a test target',
    },
  },
];
