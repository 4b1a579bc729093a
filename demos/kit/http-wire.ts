// HTTP exchanges as curl -v prints them: `> ` for what the client sent, `< ` for the answer.
// The one printer of that format: topics turn what they captured (raw socket bytes, a fetch's
// headers, a checker's exchange) into WireMessages and print them here, as lines or as a
// sequence figure between named parties.

import type { Message, SequenceFigure } from './figures.ts';

type WireHeaders = Record<string, string | string[] | undefined> | [string, string][];

interface WireMessage {
  /** `POST /login HTTP/1.1` or `HTTP/1.1 200 OK`; absent for a body that travelled on its own
   * (after a 100 Continue). */
  startLine?: string;
  /** In the order sent; a list of pairs keeps repeated names. */
  headers?: WireHeaders;
  body?: string;
}

export interface WireOptions {
  /** Body lines shown before the rest is summarised (all of them when unset). */
  bodyLines?: number;
}

/** Long opaque values (tokens, keys) are cut so a line fits and reads. */
function elideLong(text: string, keep = 24): string {
  return text.replace(
    /[A-Za-z0-9_\-.~+/=]{64,}/g,
    (m) => `${m.slice(0, keep)}…(${m.length} chars)`,
  );
}

function headerPairs(headers: WireHeaders | undefined): [string, string][] {
  if (!headers) return [];
  if (Array.isArray(headers)) return headers;
  return Object.entries(headers).flatMap(([name, value]) =>
    value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((v) => [name, v]),
  ) as [string, string][];
}

function bodyText(body: string | undefined, o: WireOptions): string[] {
  if (!body) return [];
  const lines = body.split(/\r?\n/);
  while (lines.length && !lines.at(-1)) lines.pop();
  const max = o.bodyLines ?? lines.length;
  const shown = lines.slice(0, max).map(elideLong);
  if (lines.length > max) shown.push(`… (${Buffer.byteLength(body)} bytes in all)`);
  return shown;
}

/** The head (and body) without marks: what a figure prints under the message's label. */
function messageBody(m: WireMessage, o: WireOptions): string[] {
  const head = headerPairs(m.headers).map(([n, v]) => `${n}: ${elideLong(v)}`);
  const body = bodyText(m.body, o);
  if (m.startLine === undefined) return body;
  return body.length ? [...head, '', ...body] : head;
}

function messageLines(mark: '>' | '<', m: WireMessage, o: WireOptions = {}): string[] {
  const lines = m.startLine === undefined ? [] : [`${mark} ${m.startLine}`];
  for (const [name, value] of headerPairs(m.headers))
    lines.push(`${mark} ${name}: ${elideLong(value)}`);
  if (m.startLine !== undefined) lines.push(mark);
  for (const l of bodyText(m.body, o)) lines.push(`${mark} ${l}`);
  return lines;
}

export const requestLines = (m: WireMessage, o?: WireOptions) => messageLines('>', m, o);
export const responseLines = (m: WireMessage, o?: WireOptions) => messageLines('<', m, o);

/** One message of an exchange, with its direction: `>` client to server, `<` the answer. */
export interface WireTurn extends WireMessage {
  dir: '>' | '<';
  /** A remark beside the arrow ("interim", "never sent"). */
  note?: string;
}

/** Several messages as `> ` / `< ` lines, in order. */
export function wireLines(turns: WireTurn[], o: WireOptions = {}): string[] {
  return turns.flatMap((t) => messageLines(t.dir, t, o));
}

/**
 * An exchange as a sequence figure between `client` and `server` (and the parties in between,
 * when `parties` names more): the transcript prints it as text, the browser view as a diagram.
 */
export function exchangeFigure(
  parties: [client: string, server: string, ...more: string[]],
  turns: (WireTurn & { from?: string; to?: string })[],
  o: WireOptions & { title?: string } = {},
): SequenceFigure {
  const [client, server] = parties;
  const messages: Message[] = turns.map((t) => ({
    from: t.from ?? (t.dir === '>' ? client : server),
    to: t.to ?? (t.dir === '>' ? server : client),
    label: t.startLine ?? '(body)',
    lines: messageBody(t, o),
    ...(t.note ? { note: t.note } : {}),
  }));
  return { kind: 'sequence', ...(o.title ? { title: o.title } : {}), parties, messages };
}
