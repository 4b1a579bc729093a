// Reads notes/<topic>.md by heading, with GitHub's anchor slugs, so a step can name the section
// it shows and --notes can print that section's prose before the step.

import { readFileSync } from 'node:fs';
import { notePath } from './paths.ts';

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
export function slugify(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .trim()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

export interface Section {
  slug: string;
  title: string;
  level: number;
  /** The prose under the heading, up to the next heading of the same or a higher level. */
  body: string;
}

function parseSections(markdown: string): Section[] {
  const lines = markdown.split('\n');
  const heads: { index: number; level: number; title: string }[] = [];
  let fenced = false;
  lines.forEach((line, index) => {
    if (/^(```|~~~)/.test(line)) fenced = !fenced;
    const m = !fenced && /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (m) heads.push({ index, level: (m[1] as string).length, title: m[2] as string });
  });
  const counts = new Map<string, number>();
  return heads.map((h, i) => {
    const base = slugify(h.title);
    const n = counts.get(base) ?? 0;
    counts.set(base, n + 1);
    const end = heads.slice(i + 1).find((next) => next.level <= h.level)?.index ?? lines.length;
    const body = lines
      .slice(h.index + 1, end)
      .join('\n')
      .trim();
    return { slug: n ? `${base}-${n}` : base, title: h.title, level: h.level, body };
  });
}

export function readNote(topic: string): Section[] | undefined {
  try {
    return parseSections(readFileSync(notePath(topic), 'utf8'));
  } catch {
    return undefined;
  }
}

/** The line every note carries under its summary. */
export function runLine(topic: string): string {
  return `\`npx tsx demos/${topic}\` · \`npx vitest run demos/${topic}\``;
}

/**
 * Joins the hard-wrapped lines of each paragraph and list item into one line, so the text can be
 * wrapped again at another width. Code blocks, tables and HTML lines stay as they are.
 */
export function reflow(markdown: string): string {
  const out: string[] = [];
  let fenced = false;
  let joinable = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const verbatim = fenced || /^\s*(```|~~~|\||<|#)/.test(line);
    const blank = line.trim() === '';
    const startsItem = /^\s*([-*]|\d+\.)\s/.test(line);
    if (joinable && !verbatim && !blank && !startsItem) {
      out[out.length - 1] += ` ${line.trim()}`;
      continue;
    }
    out.push(line.replace(/\*\*/g, ''));
    joinable = !verbatim && !blank;
  }
  return out.map((l) => l.replace(/\*\*/g, '')).join('\n');
}

/** The text between `<!-- name -->` and `<!-- /name -->`, trimmed; undefined without markers. */
export function markedBlock(markdown: string, name: string): string | undefined {
  const m = new RegExp(`<!-- ${name} -->\\n([\\s\\S]*?)\\n?<!-- /${name} -->`).exec(markdown);
  return m ? (m[1] ?? '').trim() : undefined;
}

/** The markdown with the block between the markers replaced (the markers must exist). */
export function replaceMarkedBlock(markdown: string, name: string, content: string): string {
  const re = new RegExp(`(<!-- ${name} -->\\n)[\\s\\S]*?\\n?(<!-- /${name} -->)`);
  if (!re.test(markdown)) throw new Error(`no <!-- ${name} --> markers`);
  return markdown.replace(re, (_, open: string, close: string) => `${open}${content}\n${close}`);
}
