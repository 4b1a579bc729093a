// The claims ledger: what people say about a topic (the seed notes' lines, interview lore), the
// verdict, the truth in one sentence, and the live claim that decides it. A demo carries its
// ledger; the session checks each entry against the claims its steps really made, and the note's
// "Common mistakes" list is rendered from the entries (the notes test keeps the two equal).

import { wrap } from './text.ts';

type Verdict = 'holds' | 'wrong' | 'partly' | 'depends on version';

/** Decided live: the step `step` makes a claim whose text starts with `claim`, and it holds. */
export interface DecidedBy {
  step: string;
  claim: string;
}

/** No live proof is possible here (no kubelet, no second host): the source that says so. */
interface CitedBy {
  cited: string;
  /** Why this machine cannot show it. */
  why: string;
}

/**
 * Decided in another topic's ledger: lore two notes judge ("Kafka is AP" in kafka and in
 * replication) gets one entry, one verdict; the other note renders that entry, and its proof
 * is the owning topic's.
 */
export interface DecidedIn {
  topic: string;
  entry: LedgerEntry;
}

export interface LedgerEntry {
  /** Short and unique in the topic. */
  id: string;
  /** The claim as people say it, in English (seed lines translated). */
  said: string;
  /** Where it is said: `seed 000:123` (file and line) or `lore`. */
  source: string;
  verdict: Verdict;
  /** One sentence of truth. */
  truth: string;
  by: DecidedBy | CitedBy | DecidedIn;
}

export function isDecided(by: LedgerEntry['by']): by is DecidedBy {
  return 'step' in by;
}

export function isDecidedIn(by: LedgerEntry['by']): by is DecidedIn {
  return 'topic' in by;
}

/** `entry` of `topic`'s ledger, for another topic's ledger: the same said, verdict and truth. */
export function decidedIn(topic: string, entry: LedgerEntry): LedgerEntry {
  return { ...entry, by: { topic, entry } };
}

const VERDICT_WORD: Record<Verdict, string> = {
  holds: 'Holds',
  wrong: 'Wrong',
  partly: 'Partly true',
  'depends on version': 'Depends on the version',
};

/** Where an entry's proof lives, as the note says it. */
export function proofText(by: LedgerEntry['by']): string {
  if (isDecidedIn(by)) return `decided in notes/${by.topic}.md, entry \`${by.entry.id}\``;
  return isDecided(by) ? `shown by step \`${by.step}\`` : `cited: ${by.cited} (${by.why})`;
}

/**
 * The note's "Common mistakes" list: the entries whose verdict is not `holds`, in ledger order.
 * The note holds this text between `<!-- ledger -->` markers; the notes test keeps them equal.
 */
export function renderMistakes(entries: LedgerEntry[]): string {
  return entries
    .filter((e) => e.verdict !== 'holds')
    .map((e) => {
      const item = `- **"${prose(e.said)}"** — ${VERDICT_WORD[e.verdict]}. ${prose(e.truth)} (${e.source}; ${proofText(e.by)})`;
      return wrap(item, 100).join('\n');
    })
    .join('\n');
}

/** Text for Markdown: a `<` outside a code span is a character, not the start of an HTML tag. */
function prose(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 ? part : part.replace(/</g, '&lt;')))
    .join('');
}

/**
 * Problems with the ledger entries a step decides, given the claims it made: an entry must find
 * exactly one claim starting with its text. (Whether that claim held is the step's own outcome.)
 */
export function ledgerProblems(
  entries: LedgerEntry[],
  stepId: string,
  claims: { text: string }[],
): string[] {
  return entries.flatMap((e) => {
    if (!isDecided(e.by) || e.by.step !== stepId) return [];
    const prefix = e.by.claim;
    const found = claims.filter((c) => c.text.startsWith(prefix)).length;
    if (found === 1) return [];
    const what = found === 0 ? 'no claim' : `${found} claims`;
    return [`ledger entry "${e.id}": step ${stepId} made ${what} starting "${prefix}"`];
  });
}
