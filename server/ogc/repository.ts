import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Feature } from 'geojson';
import type { CodePrefixes } from '../db/code-prefix.ts';
import type { DB } from '../db/schema.ts';
import type { Bbox } from '../domain/coordinates.ts';
import { envelopeOf } from '../db/feature-sql.ts';
import { boxesOf, type OgcBbox } from './bbox.ts';
import type { OgcCollection } from './collections.ts';

const COORDINATE_DECIMALS = 7;

/** Which rows a query reads: those the caller may see, whose geometry intersects the bbox when there is one. */
export interface FeatureFilter {
  bbox?: OgcBbox | undefined;
  /** A CQL2 filter's condition (see cql2.ts): parameterised, over the collection's queryables. */
  where?: RawBuilder<boolean> | undefined;
  prefixes: CodePrefixes;
}

/** EPSG:4326 lists latitude first (OGC API Features Part 2): the coordinates are swapped on output. */
export interface OutputAxes {
  latitudeFirst: boolean;
}

/** How features are written out: their axes, and k of the privacy setting (smaller counts of people withheld). */
export interface FeatureOutput extends OutputAxes {
  privacyK: number;
}

/** One key of a page's order: a queryable of the collection, ascending or descending. */
export interface SortKey {
  property: string;
  descending: boolean;
}

/**
 * OGC API Features requires the geometry itself to intersect the box, not its bounding box: the
 * index finds candidates by envelope (`touches`), ST_Intersects keeps those that really meet it.
 */
const intersects = (collection: OgcCollection, box: Bbox) =>
  sql<boolean>`(${collection.touches(envelopeOf(box))} AND ST_Intersects(${collection.geometry}, ${envelopeOf(box)}))`;

const inBbox = (collection: OgcCollection, bbox: OgcBbox) =>
  sql.join(
    boxesOf(bbox).map((box) => intersects(collection, box)),
    sql` OR `,
  );

const condition = (collection: OgcCollection, { bbox, where, prefixes }: FeatureFilter): RawBuilder<boolean> =>
  sql<boolean>`${collection.visible(prefixes)} AND (${bbox ? inBbox(collection, bbox) : sql<boolean>`true`}) AND (${where ?? sql<boolean>`true`})`;

function selectFeatures(collection: OgcCollection, where: RawBuilder<boolean>, { latitudeFirst, privacyK }: FeatureOutput) {
  const geometry = latitudeFirst ? sql`ST_FlipCoordinates(${collection.geometry})` : collection.geometry;
  return sql<Feature>`
    SELECT 'Feature' AS type, ${collection.idColumn} AS id,
           ST_AsGeoJSON(${geometry}, ${COORDINATE_DECIMALS}::int)::json AS geometry,
           ${collection.properties(privacyK)} AS properties
    FROM ${collection.from} ${collection.joins} WHERE ${where}`;
}

/** How many features of the collection intersect the bbox (all of them without one). */
export async function countFeatures(db: Kysely<DB>, collection: OgcCollection, filter: FeatureFilter): Promise<number> {
  const result = await sql<{ matched: number }>`
    SELECT count(*)::int AS matched FROM ${collection.from} WHERE ${condition(collection, filter)}`.execute(db);
  return result.rows[0]?.matched ?? 0;
}

/** The sort keys, then the code: ties never leave the order to chance, so offsets page through a stable sequence. */
function orderOf(collection: OgcCollection, sortBy: readonly SortKey[]): RawBuilder<unknown> {
  const keys = sortBy.map(({ property, descending }) => {
    const column = collection.queryables[property]!.column;
    return descending ? sql`${column} DESC NULLS LAST` : sql`${column} ASC NULLS LAST`;
  });
  return sql.join([...keys, collection.idColumn]);
}

/**
 * One page of features in the asked order (code order by default). The page's ids are picked
 * first: Postgres would otherwise build the GeoJSON of every row the offset skips.
 */
export async function pageOfFeatures(
  db: Kysely<DB>,
  collection: OgcCollection,
  filter: FeatureFilter,
  page: { limit: number; offset: number; sortBy: readonly SortKey[] },
  output: FeatureOutput,
): Promise<Feature[]> {
  const order = orderOf(collection, page.sortBy);
  const pageIds = sql`SELECT ${collection.idColumn} FROM ${collection.from} WHERE ${condition(collection, filter)}
    ORDER BY ${order} LIMIT ${page.limit}::int OFFSET ${page.offset}::int`;
  const result = await sql<Feature>`${selectFeatures(collection, sql<boolean>`${collection.idColumn} IN (${pageIds})`, output)}
    ORDER BY ${order}`.execute(db);
  return result.rows;
}

export async function findFeature(
  db: Kysely<DB>,
  collection: OgcCollection,
  featureId: string,
  prefixes: CodePrefixes,
  output: FeatureOutput,
): Promise<Feature | undefined> {
  const result = await selectFeatures(collection, sql<boolean>`${collection.idColumn} = ${featureId} AND ${collection.visible(prefixes)}`, output).execute(db);
  return result.rows[0];
}
