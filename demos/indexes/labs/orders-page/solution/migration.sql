-- Migration 0042, for the customer's order history page, which runs
--   SELECT * FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20
-- orders: 100 000 rows, 1 000 customers of 100 orders each, one order a minute.
-- The check runs this file, then ANALYZE orders, then EXPLAIN (ANALYZE, BUFFERS) of the page.
-- Sorted by customer first, then by date within each customer: the page is one descent to
-- the customer's newest order, then 20 entries read backwards, already in order.
CREATE INDEX orders_customer_created ON orders (customer_id, created_at);
