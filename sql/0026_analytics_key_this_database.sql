-- Issue 18: the data version that keeps heatmaps, slider months and tiles (sql/0008) named every
-- transaction in progress in the whole cluster, since transaction ids are cluster-wide. On a
-- server that also holds other databases (a test run, another city), every write there changed
-- this database's key, and every kept answer was thrown away and computed again.
--
-- A transaction that a live backend connected to ANOTHER database holds cannot have written
-- this database's tables, so it is left out of the key. Every other in-progress id stays in,
-- including one whose backend has finished since the snapshot was taken (it may have been ours):
-- leaving out only what is certainly foreign keeps the key's promise (two reads with the same
-- key saw the same committed data of this database).
CREATE OR REPLACE FUNCTION analytics_snapshot_key() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT concat_ws('|',
    (SELECT coalesce(max(version), 0) FROM analytics_changes),
    (SELECT string_agg(x::text, ',' ORDER BY x)
     FROM pg_snapshot_xip(pg_current_snapshot()) AS x
     WHERE NOT EXISTS (
       SELECT 1 FROM pg_stat_activity AS a
       WHERE a.backend_xid = x::xid AND a.datname IS DISTINCT FROM current_database())),
    city_today())
$$;
