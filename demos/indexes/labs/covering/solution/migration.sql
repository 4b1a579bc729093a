-- Migration 0043, for the daily revenue report, which runs right after the nightly load:
--   SELECT sum(total), count(*) FROM orders WHERE created_at >= $1 AND created_at < $1 + 1 day
-- orders: 100 000 rows of history; the nightly load adds a day of 1 440.
-- total rides along in the leaf entries: the report needs no column from the table.
CREATE INDEX orders_created_at_total ON orders (created_at) INCLUDE (total);
