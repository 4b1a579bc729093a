// What seed 000 ("How is a B-tree index implemented? What is it?") and interview lore say about
// B-tree indexes, each decided by a claim of a step or cited.

import type { LedgerEntry } from '../kit/ledger.ts';

export const ledger: LedgerEntry[] = [
  {
    id: 'btree-nodes',
    said: 'A B-tree splits the data into nodes; each node holds a set of keys and links to child nodes',
    source: 'seed 000:284',
    verdict: 'holds',
    truth:
      "In PostgreSQL's B+-tree variant (Lehman and Yao) the nodes are 8 kB pages: internal pages hold separator keys with downlinks, and only the leaves hold every key, with the heap tuple id (ctid) of its row; leaves are linked to their neighbours for range scans.",
    by: { step: 'tree-shape', claim: "each of the root's items is a separator key" },
  },
  {
    id: 'btree-search',
    said: 'A search goes from the root node down, comparing the key with the keys in each node',
    source: 'seed 000:284',
    verdict: 'holds',
    truth:
      'A lookup of one of a million keys read one page per level (root, internal, leaf: 3) and the heap page of its row, 4 buffers, where a sequential scan read all 6370 heap pages.',
    by: { step: 'lookup-vs-scan', claim: 'the lookup reads level + 2 buffers' },
  },
  {
    id: 'btree-fast-large',
    said: 'A B-tree gives fast search, insertion and deletion, especially on large data',
    source: 'seed 000:284',
    verdict: 'partly',
    truth:
      'Search is fast when the query constrains the leading column; insertion is slower with every index, since each index gets its own entry (and WAL) per row: 3 indexes made the same INSERT write almost 4 times the WAL.',
    by: { step: 'write-cost', claim: 'with 3 indexes the same insert writes more than twice' },
  },
  {
    id: 'composite-any-column',
    said: 'An index on (a, b) also serves a query on b alone',
    source: 'lore',
    verdict: 'depends on version',
    truth:
      'Up to PostgreSQL 17 only as a scan of the whole index, which the planner rejects for a sequential scan; PostgreSQL 18 can skip-scan it, one descent per distinct value of a, which pays when a has few values.',
    by: { step: 'composite-b', claim: 'PostgreSQL ≥ 18 skip-scans it' },
  },
  {
    id: 'index-always-used',
    said: 'If a column has an index, queries on it use the index',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'The planner compares costs: for a condition 90% of the rows meet, reading the table in order is cheaper than jumping from the index to each row, and it chose a sequential scan.',
    by: { step: 'selectivity', claim: '90% of the rows' },
  },
  {
    id: 'index-serves-expression',
    said: 'An index on email speeds up WHERE lower(email) = …',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'An index stores the values of its column, not of an expression on it; an index on lower(email) (an expression index) serves that condition.',
    by: { step: 'functional', claim: "but not lower(pad) = '…'" },
  },
  {
    id: 'index-only-no-heap',
    said: 'An index-only scan never touches the table',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'It reads the heap for every row on a page not marked all-visible in the visibility map: 1000 heap fetches for 1000 rows before VACUUM, 0 after, and some again after an UPDATE.',
    by: { step: 'index-only', claim: 'before VACUUM no page is all-visible' },
  },
  {
    id: 'order-by-sorts',
    said: 'ORDER BY always costs a sort',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'An index scan returns rows in key order, so ORDER BY the indexed column over an indexed range has no Sort node; ordering by another column does.',
    by: { step: 'ordered-range', claim: 'ORDER BY id over an id range' },
  },
];
