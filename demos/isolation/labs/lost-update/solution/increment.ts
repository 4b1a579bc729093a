// The stock counter: every checkout adds 1 to row 1 of {t}. Two checkouts at the same moment
// sometimes count as one. The checker runs this transaction twice at once: A reads, B reads,
// A writes, B writes, A commits, B commits — on MariaDB and on PostgreSQL.
// `read` runs first; `write` gets the value row 1 had in what `read` returned.

// The read locks the row: B's read waits until A commits, then sees A's 11.
// (`SET value = value + 1` with no read at all works as well.)
export const level = 'READ COMMITTED';

export const read = 'SELECT id, value FROM {t} WHERE id = 1 FOR UPDATE';

export const write = (value: number) => `UPDATE {t} SET value = ${value + 1} WHERE id = 1`;
