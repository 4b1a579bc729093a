-- Migration 0043, for the daily revenue report, which runs right after the nightly load:
--   SELECT sum(total), count(*) FROM orders WHERE created_at >= $1 AND created_at < $1 + 1 day
-- orders: 100 000 rows of history; the nightly load adds a day of 1 440.
-- The index the report needs.
CREATE INDEX orders_created_at ON orders (created_at);
