// Text to the transcript's width: prose wrapped, verbatim lines folded keeping their wire mark.

export const WIDTH = 100;

/** Wraps prose to the transcript width; code blocks, tables and list continuations keep their lines. */
export function wrap(text: string, width = WIDTH, indent = ''): string[] {
  const out: string[] = [];
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced || /^\s*(```|~~~|\|)/.test(line) || line.length + indent.length <= width) {
      out.push((indent + line).trimEnd());
      continue;
    }
    const lead = /^(\s*(?:[-*] |\d+\. )?)/.exec(line)?.[1] ?? '';
    const hang = ' '.repeat(lead.length);
    let prefix = indent + lead;
    let words: string[] = [];
    for (const word of line.slice(lead.length).split(/\s+/).filter(Boolean)) {
      if (words.length && prefix.length + words.join(' ').length + word.length + 1 > width) {
        out.push(prefix + words.join(' '));
        prefix = indent + hang;
        words = [];
      }
      words.push(word);
    }
    out.push((prefix + words.join(' ')).trimEnd());
  }
  return out;
}

/**
 * Folds a verbatim line that is too wide. Wire lines keep their `> ` / `< ` mark on every piece,
 * so a folded header still reads as part of the request or response.
 */
export function fold(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const mark = /^[<>] /.test(line) ? `${line.slice(0, 2)}    ` : '    ';
  const out: string[] = [];
  let rest = line;
  let room = width;
  while (rest.length > room) {
    const window = rest.slice(0, room);
    const space = Math.max(window.lastIndexOf(' '), window.lastIndexOf(','));
    const cut = space > room * 0.6 ? space + 1 : room;
    out.push(rest.slice(0, cut).trimEnd());
    rest = mark + rest.slice(cut).trimStart();
    room = width;
  }
  out.push(rest);
  return out;
}
