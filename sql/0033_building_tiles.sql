-- Issue 18: building tiles (z14 points, z15 footprints) rendered ahead and kept tile by tile.
--
-- A building tile was rendered on request: ~1,700 buildings in a city-scale z14 tile, 6–7 ms of
-- PostGIS and 12 ms in all per tile alone, 50–100 ms with 8 tiles in flight on two cores (tiles
-- p95 of the bench missed on buildings z14 and z15). Buildings change a few at a time (a building
-- registered, a status changed), so, unlike the grids' shapes (sql/0030, one version for the whole
-- pyramid), a change here forgets only the tiles it touches: the whole-city tiles are rendered
-- ahead in the background (server/tiles/building-tiles.ts) and a tile is one primary-key read.
--
-- A row is a tile of the whole city at z14 or z15 (tiles of a narrower jurisdiction are rendered
-- on request). `content` NULL: a building in it changed since it was rendered (or never rendered),
-- to render again. `generation` counts those changes: the ETag of a kept tile names it.
--
-- Every statement that writes buildings marks the tiles its rows touch (before and after) as
-- changed, in the writer's transaction. A tile is kept by INSERT … ON CONFLICT DO UPDATE in the
-- REPEATABLE READ snapshot it was rendered in: if a writer marked that tile after the snapshot
-- was taken (or is marking it), PostgreSQL refuses the keeping ("could not serialize access") and
-- the tile is not kept, so a tile rendered before a change never outlives it. TRUNCATE waits for
-- renderers (they hold their lock on buildings) and forgets every tile after them. A bulk load
-- switches the marking triggers off and forgets every tile when it switches them on again
-- (server/demo/city/store.ts switchBulkLoadTriggers).
CREATE TABLE building_tiles (
  z integer NOT NULL,
  x integer NOT NULL,
  y integer NOT NULL,
  generation bigint NOT NULL DEFAULT 0,
  -- How the running release renders the layer (server/tiles/building-tiles.ts): another release's
  -- tiles are rendered again.
  format text,
  content bytea,
  truncated boolean,
  PRIMARY KEY (z, x, y)
);

-- The z14 and z15 tiles (server/tiles/building-tiles.ts BUILDING_TILE_ZOOMS) whose bounds, widened
-- by a sixteenth of a tile (more than the render buffer of 1/64), meet the geometry's box. At most
-- 64 tiles a side: a building is smaller than that at z15 (~1.2 km a tile); a larger box (a wrong
-- footprint) marks that many around its corner, and the whole layer is checked by the next build.
CREATE FUNCTION building_tiles_of(g geometry) RETURNS TABLE (z integer, x integer, y integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT zoom, tile_x, tile_y
  FROM (VALUES (14), (15)) AS zooms(zoom),
       LATERAL (SELECT (2 ^ zoom)::float8 AS n,
                       radians(greatest(least(ST_YMax(g), 85.05), -85.05)) AS north,
                       radians(greatest(least(ST_YMin(g), 85.05), -85.05)) AS south) AS frame,
       LATERAL (SELECT floor((ST_XMin(g) + 180) / 360 * n - 0.0625)::int AS west_x,
                       floor((ST_XMax(g) + 180) / 360 * n + 0.0625)::int AS east_x,
                       floor((1 - ln(tan(north) + 1 / cos(north)) / pi()) / 2 * n - 0.0625)::int AS north_y,
                       floor((1 - ln(tan(south) + 1 / cos(south)) / pi()) / 2 * n + 0.0625)::int AS south_y) AS span,
       LATERAL generate_series(west_x, least(east_x, west_x + 63)) AS tile_x,
       LATERAL generate_series(north_y, least(south_y, north_y + 63)) AS tile_y
  WHERE g IS NOT NULL
$$;

CREATE FUNCTION forget_building_tiles_of(changed geometry[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO building_tiles (z, x, y, generation)
  SELECT DISTINCT t.z, t.x, t.y, 1 FROM unnest(changed) AS g, LATERAL building_tiles_of(g) AS t
  ON CONFLICT (z, x, y) DO UPDATE
    SET generation = building_tiles.generation + 1, format = NULL, content = NULL, truncated = NULL
$$;

-- One function for the three events: each trigger names only the transition tables its event has.
CREATE FUNCTION note_building_tiles_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM forget_building_tiles_of(ARRAY(SELECT g FROM new_rows, LATERAL (VALUES (point), (footprint)) AS shapes(g)));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM forget_building_tiles_of(ARRAY(SELECT g FROM old_rows, LATERAL (VALUES (point), (footprint)) AS shapes(g)));
  ELSE
    -- Only rows whose drawn columns changed (before and after, also a changed code): a statement
    -- touching other columns (a compound grouping) forgets nothing.
    PERFORM forget_building_tiles_of(ARRAY(
      SELECT g FROM (
        (SELECT code, point, footprint, use, floors, status FROM old_rows
         EXCEPT SELECT code, point, footprint, use, floors, status FROM new_rows)
        UNION ALL
        (SELECT code, point, footprint, use, floors, status FROM new_rows
         EXCEPT SELECT code, point, footprint, use, floors, status FROM old_rows)) AS changed,
        LATERAL (VALUES (point), (footprint)) AS shapes(g)));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER buildings_note_tiles_inserted AFTER INSERT ON buildings
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_building_tiles_changed();
CREATE TRIGGER buildings_note_tiles_updated AFTER UPDATE ON buildings
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_building_tiles_changed();
CREATE TRIGGER buildings_note_tiles_deleted AFTER DELETE ON buildings
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_building_tiles_changed();

CREATE FUNCTION forget_all_building_tiles() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM building_tiles;
  RETURN NULL;
END $$;

CREATE TRIGGER buildings_forget_tiles_truncated AFTER TRUNCATE ON buildings
  FOR EACH STATEMENT EXECUTE FUNCTION forget_all_building_tiles();
