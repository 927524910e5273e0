-- Issue 18: a version of the grids' case counts, apart from the analytics version (sql/0008).
--
-- The kept figures (server/heatmaps/month-ends.ts) hold every grid's cases per day, read again
-- whenever the analytics version moves: 1.7 s at Shenzhen scale, after every registration,
-- though a registration never changes a case. Keyed by this version (and the shapes', which give
-- the grids' order), they are read again only when grid_case_daily changed.
--
-- One row, bumped by recount_grid_cases when it rewrote rows: a writer holds the row's lock until
-- it commits, so the version a reader's snapshot sees names the counts it sees (as shape_version,
-- sql/0029). Writers that queue on it are those whose recount changed counts: a case recorded, or
-- a unit that became or stopped being rented (sql/0031) in a building with cases. A recount that
-- finds the counts as they are writes nothing and bumps nothing.
CREATE TABLE case_version (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  version bigint NOT NULL
);
INSERT INTO case_version (only_row, version) VALUES (true, 0);

-- As sql/0003, writing (and bumping the version) only when the counts of the grids differ from
-- those stored; all grids (null) are always rewritten. EXECUTE: a plan per call, so that a few
-- grids are read by the case_grid index.
CREATE OR REPLACE FUNCTION recount_grid_cases(only_grids text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  counted CONSTANT text := $q$
    SELECT day, grid_code, kind, category, count(*)::int AS cases, (count(*) FILTER (WHERE in_rental))::int AS in_rental
    FROM case_facts
    WHERE $1 IS NULL OR grid_code = ANY ($1)
    GROUP BY day, grid_code, kind, category $q$;
  stored CONSTANT text := $q$
    SELECT day, grid_code, kind, category, cases, in_rental FROM grid_case_daily WHERE $1 IS NULL OR grid_code = ANY ($1) $q$;
  unchanged boolean;
BEGIN
  IF only_grids IS NOT NULL THEN
    EXECUTE format('SELECT NOT EXISTS (((%1$s) EXCEPT (%2$s)) UNION ALL ((%2$s) EXCEPT (%1$s)))', counted, stored)
      INTO unchanged USING only_grids;
    IF unchanged THEN RETURN; END IF;
  END IF;
  EXECUTE 'DELETE FROM grid_case_daily WHERE $1 IS NULL OR grid_code = ANY ($1)' USING only_grids;
  EXECUTE 'INSERT INTO grid_case_daily (day, grid_code, kind, category, cases, in_rental) ' || counted USING only_grids;
  UPDATE case_version SET version = version + 1;
END $$;

-- A case changed without changing any grid's counts (moved within its grid, a new unit in the same
-- building) rewrote grid_case_daily all the same, and that moved the analytics version that the
-- hexagon and square maps of cases, counted from the cases' points, are kept by. Now that such a
-- recount writes nothing, a write of cases moves the analytics version itself.
CREATE TRIGGER cases_note_analytics_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cases
  FOR EACH STATEMENT EXECUTE FUNCTION note_analytics_change();
