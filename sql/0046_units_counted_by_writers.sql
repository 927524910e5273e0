-- Issue #20, docs/citus.md step 1: the units carry no trigger. grid_stats_on_units (sql/0003,
-- sql/0031) recounted a statement's grids where it changed what the figures count of a unit; its
-- writers now hand the same comparison the units' facts before and after their write, in the same
-- transaction: the registrations' and visits' unit updates (server/units/repository.ts), the unit
-- import's inserts and updates (server/imports), the bench's import city, the fixtures, a
-- correction by hand (README, "Editing by hand").
--
-- What the figures read of a unit (sql/0014 recount_grid_units, sql/0003 case_in_rental):
--   unit statistics: its building, use, rental_registered and let_households;
--   cases' in_rental: its building and whether its use is 'rented'.
CREATE TYPE unit_fact AS (code text, building_code text, use text, rental_registered boolean, let_households smallint);
CREATE VIEW unit_fact_rows AS
  SELECT u.code, ROW(u.code, u.building_code, u.use, u.rental_registered, u.let_households)::unit_fact AS fact FROM units AS u;
CREATE FUNCTION unit_facts_of(unit_codes text[]) RETURNS unit_fact[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT f.fact FROM unit_fact_rows AS f WHERE f.code = ANY (unit_codes))
$$;

-- The trigger's comparison over facts: rows paired by code (a unit added or removed has none on
-- one side, so both its grids' counts are recounted, as the trigger did for inserts and deletes).
CREATE FUNCTION units_written(before unit_fact[], after unit_fact[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  unit_grids text[];
  case_grids text[];
BEGIN
  SELECT coalesce(array_agg(DISTINCT grid) FILTER (WHERE counts), '{}'),
         coalesce(array_agg(DISTINCT grid) FILTER (WHERE rental), '{}')
  INTO unit_grids, case_grids
  FROM (
    SELECT left(b.building, 14) AS grid,
           (o.building_code, o.use, o.rental_registered, o.let_households)
             IS DISTINCT FROM (n.building_code, n.use, n.rental_registered, n.let_households) AS counts,
           (o.building_code, o.use = 'rented') IS DISTINCT FROM (n.building_code, n.use = 'rented') AS rental
    FROM unnest(before) AS o FULL JOIN unnest(after) AS n ON n.code = o.code
    CROSS JOIN LATERAL (VALUES (o.building_code), (n.building_code)) AS b (building)
    WHERE b.building IS NOT NULL) AS changed;
  IF cardinality(unit_grids) > 0 THEN PERFORM recount_grid_units(unit_grids); END IF;
  IF cardinality(case_grids) > 0 THEN PERFORM recount_grid_cases(case_grids); END IF;
END $$;

DROP TRIGGER units_grid_stats_insert ON units;
DROP TRIGGER units_grid_stats_update ON units;
DROP TRIGGER units_grid_stats_delete ON units;
DROP FUNCTION grid_stats_on_units();
