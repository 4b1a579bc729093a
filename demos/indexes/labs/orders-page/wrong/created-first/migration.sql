-- Migration 0042, for the customer's order history page, which runs
--   SELECT * FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20
-- orders: 100 000 rows, 1 000 customers of 100 orders each, one order a minute.
-- The check runs this file, then ANALYZE orders, then EXPLAIN (ANALYZE, BUFFERS) of the page.
-- Both columns of the query in one index.
CREATE INDEX orders_created_customer ON orders (created_at, customer_id);
