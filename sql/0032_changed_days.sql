-- Issue 18: which days a change can have moved, so that the time slider's kept month-ends
-- (server/heatmaps/month-ends.ts) outlive a burst of today's registrations.
--
-- The kept figures are keyed by the data version (sql/0008): any write moves it, and the 36
-- month-ends of the city were read again (5–10 s under load) although a move-in registered today
-- changes no day before today. The first overview after a burst summed its legend from the tables
-- meanwhile (1–2.6 s). Now every transaction that writes what the kept figures read logs the
-- earliest day it can have changed: a population change (apply_grid_changes) its earliest delta
-- day, a residency its found-unregistered days (below), anything else (cases, visits, shapes,
-- the kept window, a full refresh, the bulk load) '-infinity', every day. A reader holding figures
-- read in snapshot S keeps every month-end before the earliest day logged by the transactions
-- that S did not see and its own snapshot sees.
--
-- One row per writing transaction, keyed by its id; a later statement of the same transaction can
-- only lower the day. Each server prunes rows older than its kept snapshot every minute
-- (server/heatmaps/month-ends.ts forgetChangedDays) and raises the horizon below,
-- so that another reader whose snapshot is older knows it cannot rely on the log (and reads all).
CREATE TABLE analytics_changed_days (
  txid xid8 PRIMARY KEY,
  changed_from date NOT NULL
);

CREATE TABLE analytics_changed_days_pruned (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  below xid8 NOT NULL
);
INSERT INTO analytics_changed_days_pruned (only_row, below) VALUES (true, '0');

-- Logs `first_day` for the current transaction unless an earlier or equal day is logged already
-- (the transaction-local setting saves the write for every statement after the first).
CREATE FUNCTION note_changed_days(first_day date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  me text := pg_current_xact_id()::text;
  noted text := coalesce(current_setting('renwu.changed_days_noted', true), '');
BEGIN
  IF split_part(noted, '@', 1) = me AND split_part(noted, '@', 2)::date <= first_day THEN RETURN; END IF;
  INSERT INTO analytics_changed_days AS d (txid, changed_from) VALUES (pg_current_xact_id(), first_day)
  ON CONFLICT (txid) DO UPDATE SET changed_from = least(d.changed_from, excluded.changed_from);
  PERFORM set_config('renwu.changed_days_noted', me || '@' || first_day::text, true);
END $$;

-- The population tables are written precisely by apply_grid_changes, which names its earliest day
-- in renwu.grid_changes_from while it runs; any other writer of them (refresh, window extension,
-- bulk load) names none and so changes every day.
CREATE FUNCTION note_changed_days_of_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_ARGV[0] = 'population' AND coalesce(current_setting('renwu.grid_changes_from', true), '') <> '' THEN
    PERFORM note_changed_days(current_setting('renwu.grid_changes_from')::date);
  ELSE
    PERFORM note_changed_days('-infinity');
  END IF;
  RETURN NULL;
END $$;

ALTER FUNCTION apply_grid_changes(population_delta[]) RENAME TO add_grid_changes;

-- sql/0028's apply_grid_changes, which every population trigger calls, naming its earliest day.
CREATE FUNCTION apply_grid_changes(difference population_delta[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(difference) = 0 THEN RETURN; END IF;
  PERFORM set_config('renwu.grid_changes_from', (SELECT min(x.day) FROM unnest(difference) AS x)::text, true);
  PERFORM add_grid_changes(difference);
  PERFORM set_config('renwu.grid_changes_from', '', true);
END $$;

DO $$
DECLARE
  watched text;
BEGIN
  FOREACH watched IN ARRAY ARRAY['grid_population_changes', 'grid_population_daily'] LOOP
    EXECUTE format(
      'CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION note_changed_days_of_statement(%L)',
      watched || '_note_changed_days', watched, 'population');
  END LOOP;
  -- grid_unit_stats and the rental tables are not read by the kept figures.
  FOREACH watched IN ARRAY ARRAY[
    'grid_population_window', 'grid_case_daily', 'grids', 'admin_areas', 'settings', 'inspections', 'inspection_person_checks'
  ] LOOP
    EXECUTE format(
      'CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION note_changed_days_of_statement(%L)',
      watched || '_note_changed_days', watched, 'all');
  END LOOP;
END $$;

-- People and stays are read by the found-unregistered count (sql/0020). A new person has no visit
-- yet; a person deleted or a table emptied may change any day.
CREATE TRIGGER persons_note_changed_days AFTER DELETE OR TRUNCATE ON persons
  FOR EACH STATEMENT EXECUTE FUNCTION note_changed_days_of_statement('all');
CREATE TRIGGER residencies_note_changed_days AFTER TRUNCATE ON residencies
  FOR EACH STATEMENT EXECUTE FUNCTION note_changed_days_of_statement('all');

-- A change of category moves whether the person's visits count, on any day.
CREATE FUNCTION note_changed_days_of_categories() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id WHERE o.category IS DISTINCT FROM n.category) THEN
    PERFORM note_changed_days('-infinity');
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER persons_note_changed_categories AFTER UPDATE ON persons
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_changed_days_of_categories();

-- A stay counts in found_unregistered_on(d) only where moved_in <= d (registered_at >= moved_in by
-- constraint): an added or removed stay (or one whose id changed) changes no day before its
-- move-in. An update that changes only the move-out changes no day before the earlier of the two move-outs (before it, the stay is
-- open in both states on d and after every visit up to d).
CREATE FUNCTION note_changed_days_of_stays() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  first_day date;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT min(moved_in) INTO first_day FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT min(moved_in) INTO first_day FROM old_rows;
  ELSE
    SELECT min(CASE
      WHEN (o.person_id, o.moved_in, o.registered_at) IS DISTINCT FROM (n.person_id, n.moved_in, n.registered_at)
        THEN least(o.moved_in, n.moved_in)
      WHEN o.moved_out IS DISTINCT FROM n.moved_out
        THEN least(coalesce(o.moved_out, 'infinity'), coalesce(n.moved_out, 'infinity'))
      END)
    INTO first_day
    FROM old_rows AS o FULL JOIN new_rows AS n ON n.id = o.id;
  END IF;
  IF first_day IS NOT NULL THEN PERFORM note_changed_days(first_day); END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER residencies_note_changed_days_insert AFTER INSERT ON residencies
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_changed_days_of_stays();
CREATE TRIGGER residencies_note_changed_days_update AFTER UPDATE ON residencies
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_changed_days_of_stays();
CREATE TRIGGER residencies_note_changed_days_delete AFTER DELETE ON residencies
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_changed_days_of_stays();

-- The earliest day logged by the transactions visible now but not in `since` (a pg_snapshot as
-- text): NULL when none, and no row at all when the log may have been pruned past `since`.
CREATE FUNCTION changed_days_since(since pg_snapshot) RETURNS TABLE (changed_from date) LANGUAGE sql STABLE AS $$
  SELECT (SELECT min(d.changed_from) FROM analytics_changed_days AS d
          WHERE d.txid >= pg_snapshot_xmin(since) AND NOT pg_visible_in_snapshot(d.txid, since))
  FROM analytics_changed_days_pruned AS p
  WHERE p.below <= pg_snapshot_xmin(since)
$$;

-- Forgets the rows every transaction of `kept` saw (none of them can be news to a reader of it).
CREATE FUNCTION prune_changed_days(kept pg_snapshot) RETURNS void LANGUAGE sql AS $$
  UPDATE analytics_changed_days_pruned SET below = pg_snapshot_xmin(kept) WHERE below < pg_snapshot_xmin(kept);
  DELETE FROM analytics_changed_days WHERE txid < pg_snapshot_xmin(kept);
$$;
