-- Issue #20, docs/citus.md step 1: the grids and areas carry no triggers, so that they can become
-- Citus reference tables with the street group's step (a reference table may have none).
--
-- Until now every statement writing `grids` or `admin_areas` moved the shapes' version (sql/0029),
-- the data version (sql/0008) and logged every day as changed (sql/0032) by statement triggers.
-- Their writers — the demo city's areas (server/demo/city/store.ts), the bench's import city, an
-- operator's boundary correction by hand (README, "Editing by hand") — now call
-- note_shapes_written() in their transaction. As the trigger did, it updates the one row of
-- shape_version, holding its lock until the writer commits: writers of shapes still take turns and
-- the version a reader's snapshot sees still names the shapes it sees.
CREATE FUNCTION note_shapes_written() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE shape_version SET version = version + 1;
  PERFORM note_statistics_written('-infinity');
END $$;

DROP TRIGGER grids_note_shape_change ON grids;
DROP TRIGGER admin_areas_note_shape_change ON admin_areas;
DROP TRIGGER grids_note_analytics_change ON grids;
DROP TRIGGER grids_note_changed_days ON grids;
DROP TRIGGER admin_areas_note_analytics_change ON admin_areas;
DROP TRIGGER admin_areas_note_changed_days ON admin_areas;
DROP FUNCTION note_shape_change();
