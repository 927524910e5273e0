-- Issue 18: tiles rendered ahead keep a gzipped copy beside their bytes.
--
-- The tile route sends tiles gzipped (a z11 grid tile 91 → 37.5 KB). A tile of the shape pyramid
-- (sql/0030) or of the building tiles (sql/0033) was gzipped on its first answer by each server,
-- so the first request for every tile paid ~1.7 ms of gzip on two cores. The builders that render
-- them in the background now gzip them there and keep the copy: a request reads it with the tile.
-- NULL when the tile is too small to be worth it (server/tiles/gzipped-tiles.ts) or was kept before.
ALTER TABLE shape_tiles ADD COLUMN gzipped bytea;
ALTER TABLE building_tiles ADD COLUMN gzipped bytea;

-- A building tile marked changed forgets its gzipped copy with its bytes.
CREATE OR REPLACE FUNCTION forget_building_tiles_of(changed geometry[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO building_tiles (z, x, y, generation)
  SELECT DISTINCT t.z, t.x, t.y, 1 FROM unnest(changed) AS g, LATERAL building_tiles_of(g) AS t
  ON CONFLICT (z, x, y) DO UPDATE
    SET generation = building_tiles.generation + 1, format = NULL, content = NULL, truncated = NULL, gzipped = NULL
$$;
