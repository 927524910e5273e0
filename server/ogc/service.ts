import type { Feature } from 'geojson';
import type { AppContext } from '../context.ts';
import { privacyThreshold } from '../heatmaps/service.ts';
import { notFound } from '../http/errors.ts';
import type { Bbox } from '../domain/coordinates.ts';
import { lonLatOrder, type OgcBbox } from './bbox.ts';
import { filterSql, GEOMETRY_PROPERTY, type FilterLang } from './cql2.ts';
import { findCollection, OGC_COLLECTIONS, type OgcCollection } from './collections.ts';
import type { CodePrefixes } from '../db/code-prefix.ts';
import { cityBounds } from '../areas/service.ts';
import { countFeatures, findFeature, pageOfFeatures, type OutputAxes, type SortKey } from './repository.ts';

/** OGC API - Features - Part 1: Core 1.0 documents. Every href is absolute, from the request's own origin. */

export const JSON_TYPE = 'application/json';
export const GEOJSON_TYPE = 'application/geo+json';
export const HTML_TYPE = 'text/html';
export const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';
export const EPSG_4326 = 'http://www.opengis.net/def/crs/EPSG/0/4326';
/**
 * The coordinate systems a client may ask for (OGC API Features Part 2). Both are WGS84, as
 * stored; EPSG:4326 lists latitude first. GCJ-02 is never offered here: it has no EPSG code and
 * must not pass for WGS84 (the exports label it, see server/exports/formats.ts).
 */
export const OUTPUT_CRS = [CRS84, EPSG_4326] as const;
export type OutputCrsUri = (typeof OUTPUT_CRS)[number];
export const axesOf = (crs: OutputCrsUri): OutputAxes => ({ latitudeFirst: crs === EPSG_4326 });

/**
 * Only the classes the API meets: Part 1 core, GeoJSON and HTML; Part 2 crs; Part 3 queryables,
 * filter and features-filter with CQL2 basic, advanced comparison (LIKE, IN, BETWEEN), text and
 * JSON encodings. Not claimed: CQL2 spatial functions (only S_INTERSECTS with BBOX, POINT and
 * POLYGON is read), temporal, arrays, property-property comparisons across types, functions.
 */
export const CONFORMANCE_CLASSES = [
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html',
  'http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter',
  'http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2',
  'http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators',
  'http://www.opengis.net/spec/cql2/1.0/conf/cql2-text',
  'http://www.opengis.net/spec/cql2/1.0/conf/cql2-json',
];
const QUERYABLES_REL = 'http://www.opengis.net/def/rel/ogc/1.0/queryables';
const SCHEMA_TYPE = 'application/schema+json';

interface Link {
  href: string;
  rel: string;
  type: string;
  title?: string;
}

/** The same resource as an HTML page (OGC API Features Part 1 recommends the alternate link). */
function htmlAlternate(href: string): Link {
  const url = new URL(href);
  url.searchParams.set('f', 'html');
  return { href: url.toString(), rel: 'alternate', type: HTML_TYPE, title: 'This document as HTML' };
}

export function landingPage(origin: string) {
  return {
    title: 'renwu (人屋) OGC API - Features',
    description:
      'Read-only: administrative areas, base grids, buildings and per-grid statistics in WGS84, for signed-in users ' +
      'and cut to their jurisdiction. No person data is published; small resident counts are withheld.',
    links: [
      { href: `${origin}/ogc`, rel: 'self', type: JSON_TYPE, title: 'This document' },
      htmlAlternate(`${origin}/ogc`),
      { href: `${origin}/api/openapi.json`, rel: 'service-desc', type: 'application/vnd.oai.openapi+json;version=3.1', title: 'The API definition' },
      { href: `${origin}/api/docs`, rel: 'service-doc', type: 'text/html', title: 'The API documentation' },
      { href: `${origin}/ogc/conformance`, rel: 'conformance', type: JSON_TYPE, title: 'Conformance classes' },
      { href: `${origin}/ogc/collections`, rel: 'data', type: JSON_TYPE, title: 'The feature collections' },
    ] satisfies Link[],
  };
}

function collectionDocument(collection: OgcCollection, origin: string, extent: Bbox | undefined) {
  const self = `${origin}/ogc/collections/${collection.id}`;
  return {
    id: collection.id,
    title: collection.title,
    description: collection.description,
    itemType: 'feature',
    crs: [...OUTPUT_CRS],
    storageCrs: CRS84,
    ...(extent ? { extent: { spatial: { bbox: [extent], crs: CRS84 } } } : {}),
    links: [
      { href: self, rel: 'self', type: JSON_TYPE, title: collection.title },
      htmlAlternate(self),
      { href: `${self}/items`, rel: 'items', type: GEOJSON_TYPE, title: `${collection.title} as GeoJSON` },
      { href: `${self}/queryables`, rel: QUERYABLES_REL, type: SCHEMA_TYPE, title: 'The properties to filter and sort by (filter, sortby)' },
    ] satisfies Link[],
  };
}

export function collectionOrThrow(id: string): OgcCollection {
  const collection = findCollection(id);
  if (!collection) throw notFound('Collection', id);
  return collection;
}

export async function collectionsDocument(context: AppContext, origin: string) {
  const extent = await cityBounds(context.db);
  return {
    links: [
      { href: `${origin}/ogc/collections`, rel: 'self', type: JSON_TYPE, title: 'The feature collections' },
      htmlAlternate(`${origin}/ogc/collections`),
    ] satisfies Link[],
    collections: OGC_COLLECTIONS.map((collection) => collectionDocument(collection, origin, extent)),
  };
}

export async function oneCollectionDocument(context: AppContext, origin: string, id: string) {
  return collectionDocument(collectionOrThrow(id), origin, await cityBounds(context.db));
}

export interface ItemsQuery {
  /** In CRS84 order (lon, lat) whatever bbox-crs the client wrote it in. */
  bbox?: OgcBbox | undefined;
  bboxCrs?: OutputCrsUri | undefined;
  filter?: string | undefined;
  filterLang?: FilterLang | undefined;
  crs: OutputCrsUri;
  limit: number;
  offset: number;
  sortBy: readonly SortKey[];
  /** Only these properties in each feature; all of them when undefined. */
  properties?: readonly string[] | undefined;
}

/** The page's own URL with another offset: bbox, filter, crs, order and properties carry over to next and prev. */
function itemsUrl(
  origin: string,
  collection: OgcCollection,
  { bbox, bboxCrs, filter, filterLang, crs, limit, offset, sortBy, properties }: ItemsQuery,
): string {
  const search = new URLSearchParams({
    // Written back as the client wrote it: lat,lon for an EPSG:4326 bbox (the swap is its own inverse).
    ...(bbox ? { bbox: (bboxCrs === EPSG_4326 ? lonLatOrder(bbox) : bbox).join(',') } : {}),
    ...(bboxCrs ? { 'bbox-crs': bboxCrs } : {}),
    ...(filter !== undefined ? { filter } : {}),
    ...(filterLang ? { 'filter-lang': filterLang } : {}),
    ...(crs !== CRS84 ? { crs } : {}),
    ...(sortBy.length > 0 ? { sortby: sortBy.map((key) => `${key.descending ? '-' : ''}${key.property}`).join(',') } : {}),
    ...(properties ? { properties: properties.join(',') } : {}),
    limit: String(limit),
    offset: String(offset),
  });
  return `${origin}/ogc/collections/${collection.id}/items?${search}`;
}

/** A feature keeping only the asked properties, in the order asked. */
function withProperties(feature: Feature, properties: readonly string[] | undefined): Feature {
  if (!properties) return feature;
  const all = feature.properties ?? {};
  return { ...feature, properties: Object.fromEntries(properties.filter((name) => name in all).map((name) => [name, all[name]])) };
}

/** A page of items with numberMatched and the links to walk the pages, of the features the caller may see. */
export async function itemsDocument(context: AppContext, origin: string, collection: OgcCollection, query: ItemsQuery, prefixes: CodePrefixes) {
  const where = query.filter === undefined ? undefined : filterSql(collection, query.filter, query.filterLang ?? 'cql2-text');
  const filter = { bbox: query.bbox, where, prefixes };
  const [numberMatched, features] = await Promise.all([
    countFeatures(context.db, collection, filter),
    privacyThreshold(context.db).then((privacyK) => pageOfFeatures(context.db, collection, filter, query, { ...axesOf(query.crs), privacyK })),
  ]).then(([matched, page]) => [matched, page.map((feature) => withProperties(feature, query.properties))] as const);
  const links: Link[] = [
    { href: itemsUrl(origin, collection, query), rel: 'self', type: GEOJSON_TYPE, title: 'This page' },
    htmlAlternate(itemsUrl(origin, collection, query)),
    { href: `${origin}/ogc/collections/${collection.id}`, rel: 'collection', type: JSON_TYPE, title: collection.title },
  ];
  if (query.offset + features.length < numberMatched) {
    links.push({ href: itemsUrl(origin, collection, { ...query, offset: query.offset + query.limit }), rel: 'next', type: GEOJSON_TYPE, title: 'Next page' });
  }
  if (query.offset > 0) {
    links.push({
      href: itemsUrl(origin, collection, { ...query, offset: Math.max(0, query.offset - query.limit) }),
      rel: 'prev',
      type: GEOJSON_TYPE,
      title: 'Previous page',
    });
  }
  return { type: 'FeatureCollection', numberMatched, numberReturned: features.length, timeStamp: new Date().toISOString(), features, links };
}

export async function itemDocument(
  context: AppContext,
  origin: string,
  collection: OgcCollection,
  featureId: string,
  prefixes: CodePrefixes,
  crs: OutputCrsUri,
): Promise<Feature & { links: Link[] }> {
  const feature = await findFeature(context.db, collection, featureId, prefixes, { ...axesOf(crs), privacyK: await privacyThreshold(context.db) });
  if (!feature) throw notFound('Feature', featureId);
  const collectionUrl = `${origin}/ogc/collections/${collection.id}`;
  return {
    ...feature,
    links: [
      { href: `${collectionUrl}/items/${featureId}`, rel: 'self', type: GEOJSON_TYPE },
      htmlAlternate(`${collectionUrl}/items/${featureId}`),
      { href: collectionUrl, rel: 'collection', type: JSON_TYPE, title: collection.title },
    ],
  };
}

/** OGC API Features Part 3 queryables: a JSON Schema of the properties `filter` and `sortby` take. */
export function queryablesDocument(origin: string, id: string) {
  const collection = collectionOrThrow(id);
  const properties = Object.fromEntries(
    Object.entries(collection.queryables).map(([name, queryable]) => [name, { title: name, description: queryable.description, type: queryable.type }]),
  );
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${origin}/ogc/collections/${collection.id}/queryables`,
    type: 'object',
    title: collection.title,
    properties: {
      ...properties,
      // The geometry is queryable with S_INTERSECTS only (filter), never sortable.
      [GEOMETRY_PROPERTY]: {
        title: GEOMETRY_PROPERTY,
        description: "The feature's geometry (S_INTERSECTS with a BBOX, POINT or POLYGON)",
        format: 'geometry-any',
      },
    },
    additionalProperties: false,
  };
}
