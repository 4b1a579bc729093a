-- Migration 0042, for the customer's order history page, which runs
--   SELECT * FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20
-- orders: 100 000 rows, 1 000 customers of 100 orders each, one order a minute.
-- The check runs this file, then ANALYZE orders, then EXPLAIN (ANALYZE, BUFFERS) of the page.
-- TODO: the page uses this index, and still reads hundreds of pages for 20 rows.
CREATE INDEX orders_created_at ON orders (created_at);
