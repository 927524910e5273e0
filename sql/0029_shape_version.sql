-- Issue 18: the version of the grid and area shapes, apart from the figures' (sql/0008).
--
-- The grids and areas vector tiles read only `grids` and `admin_areas`, which change with a
-- boundary import, not with a registration. Keyed by the analytics version, which every write of
-- the day moves, those tiles were rendered again after each registration (a z8 grid tile: ~0.5 s
-- at Shenzhen scale), and the tile cache's background refill re-rendered every viewed one. Keyed
-- by this version they are rendered once per change of the shapes.
--
-- One row, updated by every statement that writes either table: a writer holds the row's lock
-- until it commits, so writers of shapes take their turns and versions follow commit order.
-- Then the version a reader's snapshot sees names the shapes it sees (no in-progress list needed,
-- unlike analytics_snapshot_key): a writer still running is invisible together with its bump.
CREATE TABLE shape_version (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  version bigint NOT NULL
);
INSERT INTO shape_version (only_row, version) VALUES (true, 0);

CREATE FUNCTION note_shape_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE shape_version SET version = version + 1;
  RETURN NULL;
END $$;

CREATE TRIGGER grids_note_shape_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON grids
  FOR EACH STATEMENT EXECUTE FUNCTION note_shape_change();
CREATE TRIGGER admin_areas_note_shape_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON admin_areas
  FOR EACH STATEMENT EXECUTE FUNCTION note_shape_change();
