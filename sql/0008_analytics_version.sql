-- A version of "everything the area heatmaps read", so that a response computed once can be
-- served again until a figure changes (issue 11: whole-city heatmap p95 < 50 ms).
--
-- Every transaction that writes a table the heatmaps read bumps its backend's row here with a
-- fresh sequence value (one row per backend, so writers never wait on each other). A reader
-- takes, in one snapshot, max(version) and the in-progress transaction ids: two reads with the
-- same pair saw the same committed data. (A writer that was running at the first read has left
-- the in-progress list by the second; one that started after it got a larger version.)
CREATE SEQUENCE analytics_version_seq;

CREATE TABLE analytics_changes (
  backend_pid int PRIMARY KEY,
  version bigint NOT NULL
);

CREATE FUNCTION note_analytics_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Once per transaction is enough: the flag is transaction-local.
  IF current_setting('renwu.analytics_noted', true) = txid_current()::text THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('renwu.analytics_noted', txid_current()::text, true);
  INSERT INTO analytics_changes (backend_pid, version) VALUES (pg_backend_pid(), nextval('analytics_version_seq'))
  ON CONFLICT (backend_pid) DO UPDATE SET version = excluded.version;
  RETURN NULL;
END $$;

DO $$
DECLARE
  watched text;
BEGIN
  FOREACH watched IN ARRAY ARRAY[
    'grid_population_changes', 'grid_population_daily', 'grid_population_window', 'grid_case_daily',
    'grid_unit_stats', 'rental_scores', 'rental_tier_counts', 'grids', 'admin_areas', 'settings'
  ] LOOP
    EXECUTE format(
      'CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION note_analytics_change()',
      watched || '_note_analytics_change', watched);
  END LOOP;
END $$;

-- What a reader keys its cache on; call it first in a REPEATABLE READ transaction.
CREATE FUNCTION analytics_snapshot_key() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT concat_ws('|',
    (SELECT coalesce(max(version), 0) FROM analytics_changes),
    (SELECT string_agg(x::text, ',' ORDER BY x) FROM pg_snapshot_xip(pg_current_snapshot()) AS x),
    city_today())
$$;
