-- The data version (sql/0008, sql/0026) named the transactions in progress in the reader's
-- snapshot, leaving out those a backend of another database held. One that ended between the
-- snapshot and the look at pg_stat_activity could no longer be told apart and stayed in: under
-- short writes in another database of the same server (another city, a test run) nearly every
-- read had a key of its own, and every kept heatmap, month-end and tile was computed again
-- (tests/api/heatmaps-month-ends.test.ts).
--
-- The in-progress list was there because max(version) misses a writer that took its version
-- before another and committed after it. The sum of the versions does not: every writer of what
-- the heatmaps read replaces its backend's row with a larger version (sequence values only grow,
-- a backend's transactions follow one another) or adds a row, so each commit of a writer raises
-- the sum that later snapshots see. Two reads with the same sum saw the same committed writers,
-- whatever runs elsewhere, and no catalogue of other backends is read. This holds only while rows
-- are never deleted nor their versions lowered: nothing does either (one row per backend id, a few
-- hundred at most), and nothing may.
CREATE OR REPLACE FUNCTION analytics_snapshot_key() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT concat_ws('|', (SELECT coalesce(sum(version), 0) FROM analytics_changes), city_today())
$$;
