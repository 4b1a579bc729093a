-- What the nightly load runs after it has inserted the day's orders, before the report.
-- VACUUM marks the new pages all-visible in the visibility map, so an index-only scan can
-- skip them (autovacuum would, some time later).
VACUUM (ANALYZE) orders;
