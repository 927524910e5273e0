-- Issue #20, docs/citus.md step 1: the cases carry no trigger. A statement trigger recounted the
-- case statistics of every grid a statement's cases were counted in, before and after
-- (grid_stats_on_cases, sql/0003). Their writers now name those grids themselves, in the same
-- transaction: the case import (server/imports/repository/cases.ts), the fixtures, a correction by
-- hand (README, "Editing by hand"). A case moved to another grid names both.
CREATE FUNCTION cases_written(grid_codes text[]) RETURNS void LANGUAGE sql AS $$
  SELECT recount_grid_cases(ARRAY(SELECT DISTINCT g FROM unnest(grid_codes) AS g WHERE g IS NOT NULL))
$$;

DROP TRIGGER cases_grid_stats_insert ON cases;
DROP TRIGGER cases_grid_stats_update ON cases;
DROP TRIGGER cases_grid_stats_delete ON cases;
DROP FUNCTION grid_stats_on_cases();
