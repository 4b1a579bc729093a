// `npx tsx demos/cors check <url> --origin <origin> [--method M] [--header Name:Value]…
// [--credentials]`: will a browser let a page on <origin> call <url>? Exit 0 allowed, 1 blocked,
// 2 bad input or an unreachable host.

import { Agent } from 'undici';
import { parseOptions, UsageError } from '../kit/args.ts';
import type { CliIO, Subcommand } from '../kit/cli.ts';
import { wireLines } from '../kit/http-wire.ts';
import { CheckInputError, checkCors, exchangeTurns } from './checker.ts';
import { type CorsRequest, chromiumReads } from './fetch-rules.ts';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** C0 controls but tab, and DEL: bytes a header value may not carry (RFC 9110 §5.5). */
const isControl = (code: number) => (code < 0x20 && code !== 0x09) || code === 0x7f;

/** Validates the command line into a request, or throws a one-line UsageError. */
function parseCheckArgs(argv: string[]): CorsRequest | 'help' {
  const { values, positionals } = parseOptions(argv, {
    origin: { type: 'string' },
    method: { type: 'string' },
    header: { type: 'string', multiple: true },
    credentials: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length ? `one URL expected, got ${positionals.length}` : 'a URL is required',
    );
  const url = positionals[0] as string;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`not a URL: "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new UsageError(`only http and https URLs can be checked, got "${parsed.protocol}"`);
  const origin = values.origin;
  if (origin === undefined)
    throw new UsageError("--origin is required (the page's origin, or null)");
  if (origin !== 'null') {
    let o: URL | undefined;
    try {
      o = new URL(origin);
    } catch {
      o = undefined;
    }
    if (!o || !/^https?:$/.test(o.protocol) || o.origin !== origin)
      throw new UsageError(
        `--origin must be scheme://host[:port] with no path or trailing slash, or null; got "${origin}"`,
      );
  }
  const method = values.method ?? 'GET';
  if (!TOKEN.test(method)) throw new UsageError(`--method: not a method name: "${method}"`);
  const headers: [string, string][] = (values.header ?? []).map((h) => {
    const i = h.indexOf(':');
    const name = i > 0 ? h.slice(0, i).trim() : '';
    if (!TOKEN.test(name)) throw new UsageError(`--header must be Name:Value, got "${h}"`);
    const value = h.slice(i + 1).trim();
    const control = [...value].find((ch) => isControl(ch.charCodeAt(0)));
    if (control !== undefined) {
      const code = `0x${control.charCodeAt(0).toString(16).padStart(2, '0')}`;
      throw new UsageError(
        `--header ${name}: the value has the control character ${code}; only tab and visible characters are allowed`,
      );
    }
    return [name, value];
  });
  return {
    url,
    origin,
    method,
    headers,
    credentials: values.credentials ? 'include' : 'same-origin',
  };
}

const USAGE = '<url> --origin <origin> [--method M] [--header Name:Value]… [--credentials]';

async function runCheck(argv: string[], io: CliIO): Promise<number> {
  const req = parseCheckArgs(argv);
  if (req === 'help') {
    io.out(`Usage: npx tsx demos/cors check ${USAGE}`);
    io.out('Sends what a browser would (the preflight when one is needed, then the request) and');
    io.out("applies the Fetch standard's CORS checks to the answers.");
    io.out('  --origin O        the page origin (scheme://host[:port]) or null');
    io.out('  --method M        the method the page uses (GET)');
    io.out('  --header N:V      a header the page sets (repeatable)');
    io.out("  --credentials     credentials: 'include' (cookies, HTTP auth)");
    io.out('Exit status: 0 allowed, 1 blocked, 2 bad input or an unreachable host.');
    return 0;
  }
  const agent = new Agent();
  try {
    const r = await checkCors(req, agent);
    const { paint } = io.style;
    const c = r.classification;
    io.out(`${req.method} ${req.url}`);
    io.out(`  from ${req.origin}${req.credentials === 'include' ? ' with credentials' : ''}`);
    if (!c.crossOrigin) io.out('same origin: CORS does not apply');
    else if (c.preflight) io.out(`preflight needed: ${c.reasons.join('; ')}`);
    else io.out('simple request: no preflight (safelisted method and headers)');
    for (const x of r.exchanges) {
      io.out('');
      for (const l of wireLines(exchangeTurns(x))) io.out(l);
    }
    io.out('');
    for (const w of r.warnings) io.out(paint('yellow', `warning: ${w}`));
    if (r.exposed) io.out(`readable response headers: ${r.exposed.join(', ') || '(none)'}`);
    if (r.verdict.ok) {
      io.out(paint('green', 'allowed'));
      return 0;
    }
    io.out(paint('red', `blocked: ${r.verdict.reason}`));
    if (chromiumReads(r.verdict)) io.out('(Chromium would still let the page read it)');
    return 1;
  } catch (err) {
    if (err instanceof CheckInputError) throw new UsageError(err.message);
    throw err;
  } finally {
    await agent.close();
  }
}

export const checkCommand: Subcommand = {
  name: 'check',
  usage: USAGE,
  summary: 'will a browser let a page on <origin> call <url>? (0 allowed, 1 blocked, 2 bad input)',
  run: runCheck,
};
