-- Issue 18: the whole city's grid and area tiles, rendered ahead once per version of the shapes.
--
-- A grid tile at city zoom holds ~1,000 grids (a z11 tile: 14 ms of PostGIS warm, p95 319 ms at
-- 8 in flight on a server that had not rendered it since it started). The shapes change with a
-- boundary import, not with registrations, so the server renders the pyramid of these layers in
-- the background after the shapes change (server/tiles/shape-pyramid.ts) and a tile of it is one
-- primary-key read, kept across restarts and shared by every server process.
--
-- A row is valid while shapes_version equals shape_version.version (sql/0029) in the reader's
-- snapshot and `format` is the running server's fingerprint of how it renders these layers (the
-- layers' SQL at every zoom, the tile extent): rows of older shapes, or rendered by an older
-- release, wait to be rendered again. Tiles of a narrower jurisdiction
-- (a collector's grids) are not kept here: they are rendered on request.
CREATE TABLE shape_tiles (
  layer text NOT NULL,
  z integer NOT NULL,
  x integer NOT NULL,
  y integer NOT NULL,
  shapes_version bigint NOT NULL,
  format text NOT NULL,
  content bytea NOT NULL,
  truncated boolean NOT NULL,
  PRIMARY KEY (layer, z, x, y)
);
