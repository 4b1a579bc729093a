// The stock counter: every checkout adds 1 to row 1 of {t}. Two checkouts at the same moment
// sometimes count as one. The checker runs this transaction twice at once: A reads, B reads,
// A writes, B writes, A commits, B commits — on MariaDB and on PostgreSQL.
// `read` runs first; `write` gets the value row 1 had in what `read` returned.

// TODO: two concurrent checkouts both read 10 and both write 11: one increment is lost.
export const level = 'READ COMMITTED';

export const read = 'SELECT id, value FROM {t} WHERE id = 1';

export const write = (value: number) => `UPDATE {t} SET value = ${value + 1} WHERE id = 1`;
