-- Migration 0042, for the customer's order history page, which runs
--   SELECT * FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20
-- orders: 100 000 rows, 1 000 customers of 100 orders each, one order a minute.
-- The check runs this file, then ANALYZE orders, then EXPLAIN (ANALYZE, BUFFERS) of the page.
-- The page filters on customer_id: index that.
CREATE INDEX orders_customer ON orders (customer_id);
