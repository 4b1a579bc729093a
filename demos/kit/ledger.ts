// The claims ledger: what people say about a topic (the seed notes' lines, interview lore), the
// verdict, the truth in one sentence, and the live claim that decides it. A demo carries its
// ledger; the session checks each entry against the claims its steps really made, and the note's
// "Common mistakes" list is rendered from the entries (the notes test keeps the two equal).

export type Verdict = 'holds' | 'wrong' | 'partly' | 'depends on version';

/** Decided live: the step `step` makes a claim whose text starts with `claim`, and it holds. */
export interface DecidedBy {
  step: string;
  claim: string;
}

/** No live proof is possible here (no kubelet, no second host): the source that says so. */
export interface CitedBy {
  cited: string;
  /** Why this machine cannot show it. */
  why: string;
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
  by: DecidedBy | CitedBy;
}

export function isDecided(by: DecidedBy | CitedBy): by is DecidedBy {
  return 'step' in by;
}
