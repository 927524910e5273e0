-- Issue #20 (Citus): two functions as Citus can run them once the grid statistics are distributed
-- (server/db/citus.ts). Same answers on every engine.

-- sql/0028's apply_grid_changes (add_grid_changes since sql/0032), grid by grid: each statement
-- names one grid, so that on Citus it is a router query on that grid's shard. The arithmetic is
-- the same; a registration changes one or two grids.
CREATE OR REPLACE FUNCTION add_grid_changes(difference population_delta[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  last_kept date;
  grid text;
  unmaterialized text[] := '{}';
BEGIN
  IF cardinality(difference) = 0 THEN RETURN; END IF;
  PERFORM pg_advisory_xact_lock_shared(grid_stats_lock_key());
  SELECT last_day INTO last_kept FROM grid_population_window;
  FOR grid IN SELECT DISTINCT x.grid_code FROM unnest(difference) AS x ORDER BY 1 LOOP
    INSERT INTO grid_population_changes AS c SELECT x.* FROM unnest(difference) AS x WHERE x.grid_code = grid
    ON CONFLICT (grid_code, day) DO UPDATE SET
      registered = c.registered + excluded.registered, lodging = c.lodging + excluded.lodging,
      floating = c.floating + excluded.floating, overseas = c.overseas + excluded.overseas,
      floating_registered = c.floating_registered + excluded.floating_registered,
      floating_permitted = c.floating_permitted + excluded.floating_permitted,
      occupied_units = c.occupied_units + excluded.occupied_units;
    DELETE FROM grid_population_changes AS c
    WHERE c.grid_code = grid AND c.day = ANY (ARRAY(SELECT x.day FROM unnest(difference) AS x WHERE x.grid_code = grid))
      AND (c.registered, c.lodging, c.floating, c.overseas, c.floating_registered, c.floating_permitted, c.occupied_units)
          = (0, 0, 0, 0, 0, 0, 0);
    -- A grid's first resident: it has no daily rows to update yet.
    IF NOT EXISTS (SELECT 1 FROM grid_population_daily AS d WHERE d.grid_code = grid AND d.day = last_kept) THEN
      unmaterialized := unmaterialized || grid;
      CONTINUE;
    END IF;
    UPDATE grid_population_daily AS d SET
      registered = d.registered + s.registered, lodging = d.lodging + s.lodging, floating = d.floating + s.floating,
      overseas = d.overseas + s.overseas, floating_registered = d.floating_registered + s.floating_registered,
      floating_permitted = d.floating_permitted + s.floating_permitted, occupied_units = d.occupied_units + s.occupied_units
    FROM (SELECT k.day, sum(x.registered) AS registered, sum(x.lodging) AS lodging, sum(x.floating) AS floating,
                 sum(x.overseas) AS overseas, sum(x.floating_registered) AS floating_registered,
                 sum(x.floating_permitted) AS floating_permitted, sum(x.occupied_units) AS occupied_units
          FROM unnest(difference) AS x
          JOIN grid_population_daily AS k ON k.grid_code = grid AND k.day >= x.day
          WHERE x.grid_code = grid
          GROUP BY k.day) AS s
    WHERE d.grid_code = grid AND d.day = s.day;
  END LOOP;
  IF cardinality(unmaterialized) > 0 THEN PERFORM materialize_grid_population(unmaterialized); END IF;
END $$;

-- sql/0020's found_unregistered_on, the same query, in PL/pgSQL: Citus cannot plan a query that
-- joins a distributed table (a day's grid counts) with a SQL function it would inline
-- ("parameterized queries for SQL functions referencing distributed tables are not supported").
-- Its callers read the whole day's set, so inlining gained nothing.
DROP FUNCTION found_unregistered_on(date);
CREATE FUNCTION found_unregistered_on(d date)
RETURNS TABLE (person_id bigint, building_code text, grid_code text, visited_on date)
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN QUERY
  SELECT latest.person_id, latest.building_code, left(latest.building_code, 14), latest.visited_on
  FROM (SELECT DISTINCT ON (c.person_id) c.person_id, c.registered_here, i.building_code, i.visited_on
        FROM inspection_person_checks AS c JOIN inspections AS i ON i.id = c.inspection_id
        WHERE c.found_here AND i.visited_on BETWEEN d - 364 AND d
        ORDER BY c.person_id, i.visited_on DESC, i.id DESC) AS latest
  JOIN persons AS p ON p.id = latest.person_id AND p.category = 'floating'
  WHERE NOT latest.registered_here
    AND NOT EXISTS (
      SELECT 1 FROM residencies AS r WHERE r.person_id = latest.person_id
        AND r.moved_in <= d AND (r.moved_out IS NULL OR r.moved_out > d))
    AND NOT EXISTS (
      SELECT 1 FROM residencies AS r WHERE r.person_id = latest.person_id
        AND r.registered_at <= d AND (r.moved_out IS NULL OR r.moved_out > latest.visited_on));
END $$;

-- sql/0003's extend_grid_population, with the grids that had no row to carry forward found as
-- Citus can plan it: the grids without a row on the new last day (an uncorrelated subquery),
-- then, of those (none in a city whose every grid had a row), the ones with a change.
CREATE OR REPLACE FUNCTION extend_grid_population(until date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  previous_last date;
  grid text;
  unmaterialized text[] := '{}';
BEGIN
  PERFORM pg_advisory_xact_lock(grid_stats_lock_key());
  SELECT last_day INTO previous_last FROM grid_population_window;
  IF until <= previous_last THEN RETURN; END IF;
  UPDATE grid_population_window SET last_day = until;
  PERFORM carry_grid_population(previous_last, until);
  -- Grids whose first change came after previous_last had no row to carry forward.
  FOR grid IN
    SELECT g.code FROM grids AS g
    WHERE g.code NOT IN (SELECT d.grid_code FROM grid_population_daily AS d WHERE d.day = until)
    ORDER BY g.code
  LOOP
    IF EXISTS (SELECT 1 FROM grid_population_changes AS c WHERE c.grid_code = grid) THEN
      unmaterialized := unmaterialized || grid;
    END IF;
  END LOOP;
  IF cardinality(unmaterialized) > 0 THEN PERFORM materialize_grid_population(unmaterialized); END IF;
END $$;
