-- Issue #20 (Citus), the first step of docs/citus.md: the grid statistics tables carry no
-- triggers, so that a Citus cluster can distribute them by grid (scripts/citus/distribute.ts).
--
-- Until now a statement trigger on each of them moved the data version (sql/0008) and logged the
-- days a write changed (sql/0032). Citus refuses to distribute a table with triggers, and a
-- trigger on a distributed table would run on the workers' shards, where the coordinator's
-- analytics_changes is out of reach. The statistics are written only by the functions below
-- (and by the bulk load, server/demo/city/bulk-statistics.ts), so each of them now notes what it
-- wrote itself, exactly as the triggers did: the data version for every table; for the
-- population tables the earliest day apply_grid_changes names (every day for any other writer);
-- every day for the case counts; no day for the unit counts, which the kept figures do not read.
-- Each function keeps its body under a new name (…_rows) and is called as before.

-- The data version, once per transaction (the body of note_analytics_change, callable anywhere).
CREATE FUNCTION note_analytics_version() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  -- Once per transaction is enough: the flag is transaction-local.
  IF current_setting('renwu.analytics_noted', true) = txid_current()::text THEN
    RETURN;
  END IF;
  PERFORM set_config('renwu.analytics_noted', txid_current()::text, true);
  INSERT INTO analytics_changes (backend_pid, version) VALUES (pg_backend_pid(), nextval('analytics_version_seq'))
  ON CONFLICT (backend_pid) DO UPDATE SET version = excluded.version;
END $$;

CREATE OR REPLACE FUNCTION note_analytics_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM note_analytics_version();
  RETURN NULL;
END $$;

-- What a writer of the statistics tables notes: the data version, and from `first_day` on the
-- days changed (null: none, for the unit counts).
CREATE FUNCTION note_statistics_written(first_day date) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM note_analytics_version();
  IF first_day IS NOT NULL THEN PERFORM note_changed_days(first_day); END IF;
END $$;

-- A write of the population tables: from the day apply_grid_changes names while it runs, else every day.
CREATE FUNCTION note_population_written() RETURNS void LANGUAGE sql AS $$
  SELECT note_statistics_written(coalesce(nullif(current_setting('renwu.grid_changes_from', true), '')::date, '-infinity'))
$$;

DROP TRIGGER grid_population_changes_note_analytics_change ON grid_population_changes;
DROP TRIGGER grid_population_daily_note_analytics_change ON grid_population_daily;
DROP TRIGGER grid_case_daily_note_analytics_change ON grid_case_daily;
DROP TRIGGER grid_unit_stats_note_analytics_change ON grid_unit_stats;
DROP TRIGGER grid_population_changes_note_changed_days ON grid_population_changes;
DROP TRIGGER grid_population_daily_note_changed_days ON grid_population_daily;
DROP TRIGGER grid_case_daily_note_changed_days ON grid_case_daily;

-- sql/0032's apply_grid_changes, noting its earliest day itself.
CREATE OR REPLACE FUNCTION apply_grid_changes(difference population_delta[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(difference) = 0 THEN RETURN; END IF;
  PERFORM set_config('renwu.grid_changes_from', (SELECT min(x.day) FROM unnest(difference) AS x)::text, true);
  PERFORM add_grid_changes(difference);
  PERFORM note_population_written();
  PERFORM set_config('renwu.grid_changes_from', '', true);
END $$;

ALTER FUNCTION materialize_grid_population(text[]) RENAME TO materialize_grid_population_rows;
CREATE FUNCTION materialize_grid_population(only_grids text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM materialize_grid_population_rows(only_grids);
  PERFORM note_population_written();
END $$;

ALTER FUNCTION carry_grid_population(date, date) RENAME TO carry_grid_population_rows;
CREATE FUNCTION carry_grid_population(from_day date, until date) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM carry_grid_population_rows(from_day, until);
  -- It writes a day for each day after from_day up to until, none if there is none.
  IF until > from_day THEN PERFORM note_population_written(); END IF;
END $$;

ALTER FUNCTION recount_grid_cases(text[]) RENAME TO recount_grid_cases_rows;
CREATE FUNCTION recount_grid_cases(only_grids text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM recount_grid_cases_rows(only_grids);
  PERFORM note_statistics_written('-infinity');
END $$;

ALTER FUNCTION recount_grid_units(text[]) RENAME TO recount_grid_units_rows;
CREATE FUNCTION recount_grid_units(only_grids text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM recount_grid_units_rows(only_grids);
  PERFORM note_statistics_written(NULL);
END $$;

ALTER FUNCTION refresh_grid_stats(date) RENAME TO refresh_grid_stats_rows;
CREATE FUNCTION refresh_grid_stats(history_from date DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_grid_stats_rows(history_from);
  PERFORM note_statistics_written('-infinity');
END $$;
