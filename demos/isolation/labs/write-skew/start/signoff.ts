// The on-call rota: rows 1 and 2 of {t} are the two doctors on call tonight (10 and 20 mean
// "on call"). A doctor may sign off only while the other is still on call, so each sign-off
// first runs `check` to read both rows. The checker runs two sign-offs at once: A checks, B
// checks, A signs off (row 1 := 11), B signs off (row 2 := 21), A commits, B commits — on MariaDB
// and on PostgreSQL. B must decide on what A did: it must read row 1 as 11, not 10.

// TODO: both checks read "the other one is on call" and both sign off: nobody is on call.
export const level = 'READ COMMITTED';

export const check = 'SELECT id, value FROM {t} WHERE id IN (1, 2)';
