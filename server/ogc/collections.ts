import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { areaVisible, codeWithin, type CodePrefixes } from '../db/code-prefix.ts';
import { DEFAULT_PRIVACY_K } from '../domain/privacy.ts';
import { gridStatisticsJoins, gridStatisticsProperties } from '../db/feature-sql.ts';

/**
 * The feature collections the OGC API publishes. None holds person data: persons, units and
 * residencies are never a collection, and the statistics withhold small resident counts.
 */
export interface OgcCollection {
  id: string;
  title: string;
  description: string;
  /** The table, under the alias the expressions below use: enough to count and page. */
  from: RawBuilder<unknown>;
  /** Further joins the properties need, made only for the rows of the page. */
  joins: RawBuilder<unknown>;
  /** The feature id: a unique, indexed code, also the paging order. */
  idColumn: RawBuilder<string>;
  geometry: RawBuilder<unknown>;
  /** The feature's properties as jsonb; counts of fewer than `privacyK` people (the privacy setting) withheld. */
  properties(privacyK: number): RawBuilder<unknown>;
  /** Index-friendly test of a row against a WGS84 envelope. */
  touches(envelope: RawBuilder<unknown>): RawBuilder<boolean>;
  /** The rows a caller bounded to `prefixes` may read. */
  visible(prefixes: CodePrefixes): RawBuilder<SqlBool>;
  /**
   * The properties a client may sort by and that /queryables describes: columns of `from` (the
   * page is picked before `joins` are made), with their JSON Schema types.
   */
  queryables: Readonly<Record<string, Queryable>>;
  /** Properties a feature carries that are not queryables (figures from `joins`): listable with `properties=`, not sortable. */
  figures?: readonly string[];
}

export interface Queryable {
  column: RawBuilder<unknown>;
  type: 'string' | 'integer' | 'number';
  description: string;
}

const queryable = (column: string, type: Queryable['type'], description: string): Queryable => ({ column: sql.ref(column), type, description });
const areaCode = queryable('g.code', 'string', "The area's code");
const areaName = queryable('g.name', 'string', "The area's name");

type Description = Pick<OgcCollection, 'id' | 'title' | 'description'>;

/** A collection over rows keyed by `code` with a `geom` column, read under the alias g. */
const codedAreas = (
  description: Description,
  table: 'grids' | 'admin_areas',
  properties: OgcCollection['properties'],
  queryables: Record<string, Queryable>,
  joins = sql``,
  visible = (prefixes: CodePrefixes) => codeWithin('g.code', prefixes),
): OgcCollection => ({
  ...description,
  queryables: { code: areaCode, name: areaName, ...queryables },
  from: sql`${sql.table(table)} g`,
  joins,
  idColumn: sql<string>`g.code`,
  geometry: sql`g.geom`,
  properties,
  touches: (envelope) => sql<boolean>`g.geom && ${envelope}`,
  visible,
});

const grids = codedAreas(
  { id: 'grids', title: 'Base grids (基础网格)', description: 'The base grids collectors are assigned to, with their 14-digit codes.' },
  'grids',
  () => sql`jsonb_build_object('code', g.code, 'name', g.name, 'communityCode', g.community_code, 'areaKm2', round(g.area_km2::numeric, 4))`,
  {
    communityCode: queryable('g.community_code', 'string', 'The community (12 digits) the grid lies in'),
    areaKm2: queryable('g.area_km2', 'number', 'Area in square kilometres'),
  },
);

const areas = codedAreas(
  { id: 'areas', title: 'Administrative areas', description: 'Districts (6-digit codes), streets (9) and communities (12); `level` tells which.' },
  'admin_areas',
  () => sql`jsonb_build_object('code', g.code, 'name', g.name, 'level', g.level, 'parentCode', g.parent_code)`,
  { level: queryable('g.level', 'string', 'district, street or community'), parentCode: queryable('g.parent_code', 'string', "The enclosing area's code") },
  sql``,
  (prefixes) => areaVisible('g.code', prefixes),
);

/** A building's attributes, the same in both building collections. */
const buildingProperties = sql`jsonb_build_object('code', b.code, 'gridCode', b.grid_code, 'address', b.address, 'floors', b.floors,
    'use', b.use, 'managementMode', b.management_mode, 'status', b.status)`;

/**
 * Buildings are published twice, one geometry type per collection (GeoPackage and Shapefile hold
 * one type a layer): footprints where they are known, and every building as its point.
 */
const buildings: OgcCollection = {
  id: 'buildings',
  title: 'Building footprints',
  description:
    'Coded buildings (19 digits) whose footprint is known, as polygons. Every building, footprint or not, is in building_points. No owner or landlord data.',
  from: sql`buildings b`,
  joins: sql``,
  idColumn: sql<string>`b.code`,
  geometry: sql`b.footprint`,
  properties: () => buildingProperties,
  touches: (envelope) => sql<boolean>`b.footprint && ${envelope}`,
  visible: (prefixes) => sql<SqlBool>`b.footprint IS NOT NULL AND ${codeWithin('b.code', prefixes)}`,
  queryables: {
    code: queryable('b.code', 'string', "The building's code (19 digits)"),
    gridCode: queryable('b.grid_code', 'string', 'The base grid (14 digits)'),
    address: queryable('b.address', 'string', 'Street address'),
    floors: queryable('b.floors', 'integer', 'Floors above ground'),
    use: queryable('b.use', 'string', 'What the building is used for'),
    managementMode: queryable('b.management_mode', 'string', 'How the building is managed'),
    status: queryable('b.status', 'string', 'active or demolished'),
  },
};

const buildingPoints: OgcCollection = {
  ...buildings,
  id: 'building_points',
  title: 'Building points',
  description: 'Every coded building (19 digits) as its point. No owner or landlord data.',
  geometry: sql`b.point`,
  touches: (envelope) => sql<boolean>`b.point && ${envelope}`,
  visible: (prefixes) => codeWithin('b.code', prefixes),
};

const statistics = codedAreas(
  {
    id: 'statistics',
    title: 'Per-grid statistics',
    description: `Counts of active buildings, their units and current residents per base grid. A resident count below k (the privacy setting, ${DEFAULT_PRIVACY_K} unless set) is withheld (null) so that no household can be singled out.`,
  },
  'grids',
  gridStatisticsProperties,
  {},
  gridStatisticsJoins,
);
statistics.figures = ['buildings', 'units', 'residents'];

export const OGC_COLLECTIONS: readonly OgcCollection[] = [areas, grids, buildings, buildingPoints, statistics];
export const OGC_COLLECTION_IDS = OGC_COLLECTIONS.map((collection) => collection.id);

export const findCollection = (id: string) => OGC_COLLECTIONS.find((collection) => collection.id === id);
