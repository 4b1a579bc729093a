import type { LedgerEntry } from '../kit/ledger.ts';

export const ledger: LedgerEntry[] = [];
