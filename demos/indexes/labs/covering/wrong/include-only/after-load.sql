-- What the nightly load runs after it has inserted the day's orders, before the report.
-- Fresh statistics for the planner.
ANALYZE orders;
