-- Collector allocation (协管员 500:1): indexes for the per-grid counts, grid adjacency cached for
-- the rebalancing proposal, and "a full-time collector works in exactly one grid".
-- (People per grid read residencies_current_by_unit_idx from 0002_registrations.)

-- Rental houses per grid: an active building counts when it has a rented unit; this partial
-- index answers that EXISTS probe without reading the building's other units.
CREATE INDEX units_rented_by_building_idx ON units (building_code) WHERE use = 'rented';

-- Active collectors named by an employer (part-time requirement), matched on the trimmed name.
CREATE INDEX collectors_part_time_employer_idx ON collectors (btrim(employer))
  WHERE active AND employment = 'part_time' AND employer IS NOT NULL;

-- Pairs of grids sharing a boundary (a line, or an overlap from imperfect digitising; touching at
-- a corner point does not count), grid_code < neighbour_code. Recomputed on demand, after any
-- change to grids, by server/collectors/repository.ts: a city of 20,000 grids takes seconds, too
-- slow for every request and too rare a change to maintain row by row.
CREATE TABLE collector_grid_adjacency (
  grid_code text NOT NULL REFERENCES grids (code) ON DELETE CASCADE,
  neighbour_code text NOT NULL REFERENCES grids (code) ON DELETE CASCADE,
  PRIMARY KEY (grid_code, neighbour_code),
  CONSTRAINT adjacency_pair_ordered CHECK (grid_code < neighbour_code)
);

-- One row: whether collector_grid_adjacency matches the grids table.
CREATE TABLE collector_adjacency_state (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  fresh boolean NOT NULL DEFAULT false,
  refreshed_at timestamptz
);
INSERT INTO collector_adjacency_state (singleton, fresh) VALUES (true, false);

-- Statement-level, so a bulk load of grids pays once per statement, not per row.
CREATE OR REPLACE FUNCTION collector_adjacency_mark_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE collector_adjacency_state SET fresh = false WHERE fresh;
  RETURN NULL;
END $$;
CREATE TRIGGER grids_mark_collector_adjacency_stale
  AFTER INSERT OR DELETE OR UPDATE OF geom ON grids
  FOR EACH STATEMENT EXECUTE FUNCTION collector_adjacency_mark_stale();
CREATE TRIGGER grids_truncate_mark_collector_adjacency_stale
  AFTER TRUNCATE ON grids
  FOR EACH STATEMENT EXECUTE FUNCTION collector_adjacency_mark_stale();

-- A full-time collector owns one grid (网格化): at most one open assignment, whoever writes it
-- (the API, an import, SQL). Locking the collector row serialises concurrent assignments.
CREATE OR REPLACE FUNCTION collector_assignment_one_grid_if_full_time() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  employment_kind text;
BEGIN
  IF NEW.ended_on IS NOT NULL THEN RETURN NEW; END IF;
  SELECT employment INTO employment_kind FROM collectors WHERE id = NEW.collector_id FOR UPDATE;
  IF employment_kind = 'full_time' AND EXISTS (
      SELECT 1 FROM collector_assignments
      WHERE collector_id = NEW.collector_id AND ended_on IS NULL AND id <> NEW.id) THEN
    RAISE EXCEPTION 'full-time collector % already has an open assignment', NEW.collector_id
      USING ERRCODE = 'unique_violation', CONSTRAINT = 'collector_assignments_one_grid_if_full_time';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER collector_assignments_one_grid_if_full_time
  BEFORE INSERT OR UPDATE OF collector_id, ended_on ON collector_assignments
  FOR EACH ROW EXECUTE FUNCTION collector_assignment_one_grid_if_full_time();
