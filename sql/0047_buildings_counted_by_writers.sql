-- Issue #20, docs/citus.md step 1: the buildings carry no trigger. Three did the work
-- (grid_stats_on_buildings, sql/0003 and sql/0028; note_building_tiles_changed and
-- forget_all_building_tiles, sql/0033); buildings_written(before, after) does the same over the
-- buildings' facts, which their writers hand it in the same transaction: the building import's
-- inserts and upserts (server/imports; the compound import changes nothing these read and calls
-- nothing), the fixtures, a correction by hand (README, "Editing by hand"). The demo city's bulk load writes with no such call and rebuilds the
-- statistics and forgets every building tile once at its end, as before.
CREATE TYPE building_fact AS (code text, grid_code text, status text, use text, floors smallint, point geometry, footprint geometry);
CREATE VIEW building_fact_rows AS
  SELECT b.code, ROW(b.code, b.grid_code, b.status, b.use, b.floors, b.point, b.footprint)::building_fact AS fact FROM buildings AS b;
CREATE FUNCTION building_facts_of(building_codes text[]) RETURNS building_fact[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT f.fact FROM building_fact_rows AS f WHERE f.code = ANY (building_codes))
$$;

CREATE FUNCTION buildings_written(before building_fact[], after building_fact[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  now_active text[];
  no_longer_active text[];
BEGIN
  -- The unit statistics of every grid written in (as the trigger did for every statement: they
  -- also count the responsibility letters, and the recount moves the data version).
  PERFORM recount_grid_units(ARRAY(
    SELECT DISTINCT f.grid_code FROM (SELECT * FROM unnest(before) UNION ALL SELECT * FROM unnest(after)) AS f));
  -- A building that starts or stops being active brings its units' occupancy into its grid's
  -- figures or takes it out, for every day (a new building has no units yet, a deleted one none left).
  now_active := ARRAY(SELECT n.code FROM unnest(after) AS n JOIN unnest(before) AS o ON o.code = n.code
                      WHERE n.status = 'active' AND o.status <> 'active');
  no_longer_active := ARRAY(SELECT o.code FROM unnest(before) AS o JOIN unnest(after) AS n ON n.code = o.code
                            WHERE o.status = 'active' AND n.status <> 'active');
  PERFORM apply_grid_changes(net_deltas(
    ARRAY(SELECT d::population_delta FROM occupancy_deltas(stays_in_buildings(now_active)) AS d),
    ARRAY(SELECT d::population_delta FROM occupancy_deltas(stays_in_buildings(no_longer_active)) AS d)));
  -- The building tiles that draw a building whose drawn columns changed, where it was and where it is.
  PERFORM forget_building_tiles_of(ARRAY(
    SELECT g FROM (
      (SELECT * FROM unnest(before) EXCEPT SELECT * FROM unnest(after))
      UNION ALL
      (SELECT * FROM unnest(after) EXCEPT SELECT * FROM unnest(before))) AS changed,
      LATERAL (VALUES (changed.point), (changed.footprint)) AS shapes (g)));
END $$;

DROP TRIGGER buildings_grid_stats_insert ON buildings;
DROP TRIGGER buildings_grid_stats_update ON buildings;
DROP TRIGGER buildings_grid_stats_delete ON buildings;
DROP TRIGGER buildings_note_tiles_inserted ON buildings;
DROP TRIGGER buildings_note_tiles_updated ON buildings;
DROP TRIGGER buildings_note_tiles_deleted ON buildings;
DROP TRIGGER buildings_forget_tiles_truncated ON buildings;
DROP FUNCTION grid_stats_on_buildings();
DROP FUNCTION note_building_tiles_changed();
DROP FUNCTION forget_all_building_tiles();
