import { sql, type Kysely } from 'kysely';
import type { Feature } from 'geojson';
import { codeWithin, type CodePrefixes } from '../db/code-prefix.ts';
import type { DB } from '../db/schema.ts';
import type { Bbox } from '../domain/coordinates.ts';
import { envelopeOf } from '../db/feature-sql.ts';
import type { TileLayer } from './layers.ts';
import { TILE_BUFFER, TILE_EXTENT, tileBoundsWithBuffer, type TileAddress } from './tile-math.ts';

export interface TileFeatures<T> {
  content: T;
  /** More features touched the tile than it may carry; the surplus was left out. */
  truncated: boolean;
}

/** Which of a layer's features one caller's tile carries. */
export interface TileScope {
  /** The caller's jurisdiction (null = the whole city). */
  prefixes: CodePrefixes;
  maxFeatures: number;
  /** k of the privacy setting: counts of fewer people are withheld. */
  privacyK: number;
}

/**
 * The layer's features touching the tile (with its buffer), at most maxFeatures + 1 of them so
 * that the caller can tell a full tile from a cut one.
 */
function featuresTouching(layer: TileLayer, tile: TileAddress, { prefixes, maxFeatures, privacyK }: TileScope) {
  return sql`${layer.select(envelopeOf(tileBoundsWithBuffer(tile)), tile.z, prefixes, privacyK)} LIMIT ${maxFeatures + 1}::int`;
}

/**
 * The encoded tile straight from PostGIS (ST_AsMVT): clipping and quantising in 3857 happen there.
 * With `withVersion`, the statement also reads the data version (analytics_snapshot_key) of the
 * snapshot it renders in: one statement is one snapshot, so the tile can be kept per that version
 * without a transaction around it.
 */
export async function nativeTile(
  db: Kysely<DB>,
  layer: TileLayer,
  tile: TileAddress,
  scope: TileScope,
  withVersion = false,
): Promise<TileFeatures<Uint8Array> & { version?: string }> {
  const { z, x, y } = tile;
  const { maxFeatures } = scope;
  const version = withVersion ? sql`analytics_snapshot_key()` : sql`NULL::text`;
  const result = await sql<{ mvt: Uint8Array | null; touching: number; version: string | null }>`
    WITH features AS MATERIALIZED (${featuresTouching(layer, tile, scope)}),
    shaped AS (
      SELECT ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope(${z}::int, ${x}::int, ${y}::int),
                          ${TILE_EXTENT}::int, ${TILE_BUFFER}::int, true) AS geom, properties, id
      FROM features LIMIT ${maxFeatures}::int)
    SELECT (SELECT ST_AsMVT(shaped.*, ${layer.name}::text, ${TILE_EXTENT}::int, 'geom', 'id') FROM shaped) AS mvt,
           (SELECT count(*)::int FROM features) AS touching, ${version} AS version`.execute(db);
  const row = result.rows[0];
  return { content: new Uint8Array(row?.mvt ?? []), truncated: (row?.touching ?? 0) > maxFeatures, ...(row?.version && { version: row.version }) };
}

/** The same features as GeoJSON in WGS84, for the JS encoder where PostGIS cannot encode MVT. */
export async function geoJsonFeaturesInTile(db: Kysely<DB>, layer: TileLayer, tile: TileAddress, scope: TileScope): Promise<TileFeatures<Feature[]>> {
  const { maxFeatures } = scope;
  // As text: drivers differ on int8 (string or bigint). Every id fits a double (TileLayer.featureId).
  const result = await sql<Pick<Feature, 'geometry' | 'properties'> & { id: string }>`
    SELECT id::text AS id, ST_AsGeoJSON(geom, 7)::json AS geometry, properties
    FROM (${featuresTouching(layer, tile, scope)}) features`.execute(db);
  const features: Feature[] = result.rows
    .slice(0, maxFeatures)
    .map((row) => ({ type: 'Feature', id: Number(row.id), geometry: row.geometry, properties: row.properties }));
  return { content: features, truncated: result.rows.length > maxFeatures };
}

/** The extent of the areas and grids within the jurisdiction; null when it holds none. */
export async function extentOf(db: Kysely<DB>, prefixes: CodePrefixes): Promise<Bbox | null> {
  const result = await sql<{ min_lon: number | null; min_lat: number; max_lon: number; max_lat: number }>`
    SELECT ST_XMin(box) AS min_lon, ST_YMin(box) AS min_lat, ST_XMax(box) AS max_lon, ST_YMax(box) AS max_lat
    FROM (SELECT ST_Extent(geom)::box2d AS box FROM (
      SELECT geom FROM grids WHERE ${codeWithin('code', prefixes)}
      UNION ALL SELECT geom FROM admin_areas WHERE ${codeWithin('code', prefixes)}) shapes) extent`.execute(db);
  const row = result.rows[0];
  return row && row.min_lon !== null ? [row.min_lon, row.min_lat, row.max_lon, row.max_lat] : null;
}
