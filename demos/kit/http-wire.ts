// HTTP exchanges as curl -v prints them: `> ` for what the client sent, `< ` for the answer.

export interface WireMessage {
  /** `POST /login HTTP/1.1` or `HTTP/1.1 200 OK`. */
  startLine: string;
  headers: Record<string, string | string[] | undefined>;
  body?: string;
}

/** Long opaque values (tokens, keys) are cut so a line fits and reads. */
export function elideLong(text: string, keep = 24): string {
  return text.replace(
    /[A-Za-z0-9_\-.~+/=]{64,}/g,
    (m) => `${m.slice(0, keep)}…(${m.length} chars)`,
  );
}

function messageLines(mark: '>' | '<', m: WireMessage): string[] {
  const lines = [`${mark} ${m.startLine}`];
  for (const [name, value] of Object.entries(m.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value])
      lines.push(`${mark} ${name}: ${elideLong(v)}`);
  }
  lines.push(mark);
  if (m.body) for (const l of m.body.split('\n')) lines.push(`${mark} ${elideLong(l)}`);
  return lines;
}

export const requestLines = (m: WireMessage) => messageLines('>', m);
export const responseLines = (m: WireMessage) => messageLines('<', m);
