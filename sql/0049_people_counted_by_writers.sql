-- Issue #20, docs/citus.md step 1: persons and residencies carry no trigger. Their eight triggers
-- kept the grid statistics (grid_stats_on_residencies, grid_stats_on_person_category), the data
-- version (note_analytics_change) and the kept figures' changed days (note_changed_days_of_stays,
-- _of_categories, _of_statement) current statement by statement; stays_written and persons_written
-- do the same over the facts their writers hand them in the same transaction: the registrations
-- (server/people/repository.ts), the people import, the fixtures, a correction by hand (README,
-- "Editing by hand").
CREATE OR REPLACE VIEW stay_fact_rows AS
  SELECT r.person_id, r.unit_code, ROW(r.id, r.person_id, r.unit_code, r.moved_in, r.moved_out, r.registered_at)::stay_fact AS fact, r.id
  FROM residencies AS r;
CREATE FUNCTION stay_facts_of(stay_ids bigint[]) RETURNS stay_fact[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT s.fact FROM stay_fact_rows AS s WHERE s.id = ANY (stay_ids))
$$;

-- The earliest day a write of stays changed for the figures that read stays by their days (the
-- trigger note_changed_days_of_stays): an added or removed stay from its move-in; a changed one from
-- its move-in when it changed person, unit, move-in or registration, else from the earlier of its
-- move-outs. Null when nothing changed.
CREATE FUNCTION first_day_of_stays_written(before stay_fact[], after stay_fact[]) RETURNS date LANGUAGE sql IMMUTABLE AS $$
  SELECT min(CASE
    WHEN o.id IS NULL THEN n.moved_in
    WHEN n.id IS NULL THEN o.moved_in
    WHEN (o.person_id, o.unit_code, o.moved_in, o.registered_at) IS DISTINCT FROM (n.person_id, n.unit_code, n.moved_in, n.registered_at)
      THEN least(o.moved_in, n.moved_in)
    WHEN o.moved_out IS DISTINCT FROM n.moved_out
      THEN least(coalesce(o.moved_out, 'infinity'), coalesce(n.moved_out, 'infinity'))
    END)
  FROM unnest(before) AS o FULL JOIN unnest(after) AS n ON n.id = o.id
$$;

-- The body of grid_stats_on_residencies (sql/0039) over facts: the people and units whose stays
-- changed, counted from their stays before (those now, less the ones written, plus the ones as
-- they were) to after; then the days, and the data version for any write (an exemption changes
-- what the reports read, not the statistics).
CREATE FUNCTION stays_written(before stay_fact[], after stay_fact[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  affected bigint[];
  units_touched text[];
  people person_fact[];
  held permit_fact[];
  stays_now stay_fact[];
  unit_stays_now stay_fact[];
  first_day date := first_day_of_stays_written(before, after);
BEGIN
  PERFORM note_analytics_version();
  SELECT array_agg(DISTINCT person_id), array_agg(DISTINCT unit_code) INTO affected, units_touched FROM (
    (SELECT * FROM unnest(before) EXCEPT SELECT * FROM unnest(after))
    UNION ALL
    (SELECT * FROM unnest(after) EXCEPT SELECT * FROM unnest(before))) AS changed;
  IF affected IS NULL THEN RETURN; END IF;
  people := person_facts(affected);
  held := permit_facts_of_people(affected);
  stays_now := stay_facts_of_people(affected);
  units_touched := counted_units(units_touched);
  unit_stays_now := stay_facts_of_units(units_touched);
  PERFORM apply_grid_changes(net_deltas(
    ARRAY(SELECT d::population_delta FROM population_deltas(stays_now, people, held) AS d)
      || ARRAY(SELECT d::population_delta FROM occupancy_deltas(unit_stays_now) AS d),
    ARRAY(SELECT d::population_delta FROM population_deltas(
        stays_before(stays_now, after, ARRAY(SELECT o FROM unnest(before) AS o WHERE o.person_id = ANY (affected))), people, held) AS d)
      || ARRAY(SELECT d::population_delta FROM occupancy_deltas(
        stays_before(unit_stays_now, after, ARRAY(SELECT o FROM unnest(before) AS o WHERE o.unit_code = ANY (units_touched)))) AS d)));
  IF first_day IS NOT NULL THEN PERFORM note_changed_days(first_day); END IF;
END $$;

-- grid_stats_on_person_category and its days over facts: people whose category changed are
-- counted again over their stays and permits, and every day counts as changed (a category is not
-- dated); a person removed changes every day too; any write moves the data version. A person
-- added has no stay yet: the stay's writer counts them.
CREATE FUNCTION persons_written(before person_fact[], after person_fact[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  affected bigint[];
  stays stay_fact[];
  held permit_fact[];
BEGIN
  PERFORM note_analytics_version();
  affected := ARRAY(SELECT n.id FROM unnest(after) AS n JOIN unnest(before) AS o ON o.id = n.id WHERE o.category IS DISTINCT FROM n.category);
  IF cardinality(affected) > 0 THEN
    stays := stay_facts_of_people(affected);
    held := permit_facts_of_people(affected);
    PERFORM apply_population_change(
      stays, ARRAY(SELECT o FROM unnest(before) AS o WHERE o.id = ANY (affected)), held,
      stays, ARRAY(SELECT n FROM unnest(after) AS n WHERE n.id = ANY (affected)), held);
  END IF;
  IF cardinality(affected) > 0 OR EXISTS (SELECT 1 FROM unnest(before) AS o WHERE o.id NOT IN (SELECT n.id FROM unnest(after) AS n)) THEN
    PERFORM note_changed_days('-infinity');
  END IF;
END $$;

DROP TRIGGER residencies_grid_stats_insert ON residencies;
DROP TRIGGER residencies_grid_stats_update ON residencies;
DROP TRIGGER residencies_grid_stats_delete ON residencies;
DROP TRIGGER residencies_note_analytics_change ON residencies;
DROP TRIGGER residencies_note_changed_days ON residencies;
DROP TRIGGER residencies_note_changed_days_insert ON residencies;
DROP TRIGGER residencies_note_changed_days_update ON residencies;
DROP TRIGGER residencies_note_changed_days_delete ON residencies;
DROP TRIGGER persons_grid_stats_update ON persons;
DROP TRIGGER persons_note_analytics_change ON persons;
DROP TRIGGER persons_note_changed_categories ON persons;
DROP TRIGGER persons_note_changed_days ON persons;
DROP FUNCTION grid_stats_on_residencies();
DROP FUNCTION grid_stats_on_person_category();
DROP FUNCTION note_changed_days_of_stays();
DROP FUNCTION note_changed_days_of_categories();
DROP FUNCTION note_changed_days_of_statement();
DROP FUNCTION note_analytics_change();
