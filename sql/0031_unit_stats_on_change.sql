-- Issue 19: an update of units recounts its grids' statistics only where it changed what they count.
--
-- grid_stats_on_units (sql/0003) recounted, for every grid of every updated unit, the grid's unit
-- statistics (every unit of every building in it) and its cases (deleting and inserting every
-- grid_case_daily row of the grid), whatever the update changed. Most updates of a unit change
-- neither: a departure that empties a unit only flags it for a visit (to_check), and a visit that
-- finds the use unchanged only clears the flag. Each recount also moved the analytics version
-- (the statement triggers of sql/0008 on grid_unit_stats and grid_case_daily), so every kept
-- heatmap answer and tile of the city was built again after it, for the same figures.
--
-- What the figures read of a unit (sql/0014 recount_grid_units, sql/0003 case_in_rental):
--   unit statistics: its building, use, rental_registered and let_households;
--   cases' in_rental: its building and whether its use is 'rented'.
-- Rows are paired by code; a code that changed counts as a row removed and a row added. Inserted
-- and deleted units recount as before.
CREATE OR REPLACE FUNCTION grid_stats_on_units() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  unit_grids text[];
  case_grids text[];
BEGIN
  IF TG_OP = 'UPDATE' THEN
    SELECT coalesce(array_agg(DISTINCT grid) FILTER (WHERE counts), '{}'),
           coalesce(array_agg(DISTINCT grid) FILTER (WHERE rental), '{}')
    INTO unit_grids, case_grids
    FROM (
      SELECT left(b.building, 14) AS grid,
             (o.building_code, o.use, o.rental_registered, o.let_households)
               IS DISTINCT FROM (n.building_code, n.use, n.rental_registered, n.let_households) AS counts,
             (o.building_code, o.use = 'rented') IS DISTINCT FROM (n.building_code, n.use = 'rented') AS rental
      FROM old_rows AS o FULL JOIN new_rows AS n ON n.code = o.code
      CROSS JOIN LATERAL (VALUES (o.building_code), (n.building_code)) AS b (building)
      WHERE b.building IS NOT NULL) AS changed;
  ELSIF TG_OP = 'INSERT' THEN
    unit_grids := ARRAY(SELECT DISTINCT left(building_code, 14) FROM new_rows);
    case_grids := unit_grids;
  ELSE
    unit_grids := ARRAY(SELECT DISTINCT left(building_code, 14) FROM old_rows);
    case_grids := unit_grids;
  END IF;
  IF cardinality(unit_grids) > 0 THEN PERFORM recount_grid_units(unit_grids); END IF;
  IF cardinality(case_grids) > 0 THEN PERFORM recount_grid_cases(case_grids); END IF;
  RETURN NULL;
END $$;
