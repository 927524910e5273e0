import { readFileSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../server/db/schema.ts';
import { noteShapesWritten } from '../../server/db/data-version.ts';
import { writeCases } from './hand-edits.ts';

/**
 * The 48 real-shaped grid polygons of tests/fixtures/hotspots/grids.geojson (written by
 * make-fixture.ts; R's reference.R reads the same file), loaded with their district, streets and
 * communities into an empty test database, and cases put on them.
 */
export interface HotspotFeature {
  properties: { code: string; communityCode: string; count: number };
  geometry: { coordinates: number[][][] };
}

const here = new URL('../fixtures/hotspots/', import.meta.url);
export const HOTSPOT_FEATURES = (JSON.parse(readFileSync(new URL('grids.geojson', here), 'utf8')) as { features: HotspotFeature[] }).features;
export const HOTSPOT_DISTRICT = HOTSPOT_FEATURES[0]!.properties.code.slice(0, 6);

const wktOf = (feature: HotspotFeature) =>
  `POLYGON(${feature.geometry.coordinates.map((ring) => `(${ring.map(([lon, lat]) => `${lon} ${lat}`).join(',')})`).join(',')})`;

export async function loadHotspotGrids(db: Kysely<DB>): Promise<void> {
  const union = (code: string) =>
    sql`(SELECT ST_Multi(ST_Union(ST_GeomFromText(w, 4326))) FROM unnest(${HOTSPOT_FEATURES.filter((f) => f.properties.code.startsWith(code)).map(wktOf)}::text[]) AS w)`;
  await sql`INSERT INTO admin_areas (code, level, parent_code, name, geom) VALUES (${HOTSPOT_DISTRICT}, 'district', NULL, '参照区', ${union(HOTSPOT_DISTRICT)})`.execute(
    db,
  );
  for (const [level, length] of [
    ['street', 9],
    ['community', 12],
  ] as const) {
    for (const code of new Set(HOTSPOT_FEATURES.map((f) => f.properties.code.slice(0, length)))) {
      await sql`INSERT INTO admin_areas (code, level, parent_code, name, geom) VALUES (${code}, ${level}, ${code.slice(0, length === 9 ? 6 : 9)}, ${code}, ${union(code)})`.execute(
        db,
      );
    }
  }
  for (const feature of HOTSPOT_FEATURES) {
    const { code, communityCode } = feature.properties;
    await sql`INSERT INTO grids (code, community_code, name, geom, area_km2)
              VALUES (${code}, ${communityCode}, ${code}, ST_Multi(ST_GeomFromText(${wktOf(feature)}, 4326)), ST_Area(ST_GeomFromText(${wktOf(feature)}, 4326)::geography) / 1e6)`.execute(
      db,
    );
  }
  await noteShapesWritten(db); // the shapes carry no trigger (sql/0044)
}

/** `counts[i]` criminal cases on `day` (10:00 in China) in grid `codes[i]`, in one statement. */
export async function insertCases(db: Kysely<DB>, day: string, codes: readonly string[], counts: readonly number[]): Promise<void> {
  await writeCases(
    db,
    sql`INSERT INTO cases (case_no, kind, category, occurred_at, point, grid_code)
        SELECT c.code || '-' || ${day} || '-' || n, 'criminal', '盗窃', ${`${day} 10:00:00+08`}::timestamptz, ST_PointOnSurface(g.geom), g.code
        FROM unnest(${codes as string[]}::text[], ${counts as number[]}::int[]) AS c(code, count)
        JOIN grids AS g ON g.code = c.code
        CROSS JOIN LATERAL generate_series(1, c.count) AS n
        RETURNING grid_code AS grid`,
  );
}
