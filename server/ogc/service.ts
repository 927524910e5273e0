import type { Feature } from 'geojson';
import type { AppContext } from '../context.ts';
import { notFound } from '../http/errors.ts';
import type { Bbox } from '../tiles/feature-sql.ts';
import type { OgcBbox } from './bbox.ts';
import { findCollection, OGC_COLLECTIONS, type OgcCollection } from './collections.ts';
import type { CodePrefixes } from '../db/code-prefix.ts';
import { cityExtent } from '../areas/repository.ts';
import { countFeatures, findFeature, pageOfFeatures, type SortKey } from './repository.ts';

/** OGC API - Features - Part 1: Core 1.0 documents. Every href is absolute, from the request's own origin. */

export const JSON_TYPE = 'application/json';
export const GEOJSON_TYPE = 'application/geo+json';
const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';
export const CONFORMANCE_CLASSES = [
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables',
];
const QUERYABLES_REL = 'http://www.opengis.net/def/rel/ogc/1.0/queryables';
const SCHEMA_TYPE = 'application/schema+json';

interface Link {
  href: string;
  rel: string;
  type: string;
  title?: string;
}

export function landingPage(origin: string) {
  return {
    title: 'renwu (人屋) OGC API - Features',
    description:
      'Read-only: administrative areas, base grids, buildings and per-grid statistics in WGS84, for signed-in users ' +
      'and cut to their jurisdiction. No person data is published; small resident counts are withheld.',
    links: [
      { href: `${origin}/ogc`, rel: 'self', type: JSON_TYPE, title: 'This document' },
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
    crs: [CRS84],
    ...(extent ? { extent: { spatial: { bbox: [extent], crs: CRS84 } } } : {}),
    links: [
      { href: self, rel: 'self', type: JSON_TYPE, title: collection.title },
      { href: `${self}/items`, rel: 'items', type: GEOJSON_TYPE, title: `${collection.title} as GeoJSON` },
      { href: `${self}/queryables`, rel: QUERYABLES_REL, type: SCHEMA_TYPE, title: 'The properties to sort by (sortby)' },
    ] satisfies Link[],
  };
}

export function collectionOrThrow(id: string): OgcCollection {
  const collection = findCollection(id);
  if (!collection) throw notFound('Collection', id);
  return collection;
}

export async function collectionsDocument(context: AppContext, origin: string) {
  const extent = await cityExtent(context.db);
  return {
    links: [{ href: `${origin}/ogc/collections`, rel: 'self', type: JSON_TYPE, title: 'The feature collections' }] satisfies Link[],
    collections: OGC_COLLECTIONS.map((collection) => collectionDocument(collection, origin, extent)),
  };
}

export async function oneCollectionDocument(context: AppContext, origin: string, id: string) {
  return collectionDocument(collectionOrThrow(id), origin, await cityExtent(context.db));
}

export interface ItemsQuery {
  bbox?: OgcBbox | undefined;
  limit: number;
  offset: number;
  sortBy: readonly SortKey[];
  /** Only these properties in each feature; all of them when undefined. */
  properties?: readonly string[] | undefined;
}

/** The page's own URL with another offset: bbox, order and properties carry over to next and prev. */
function itemsUrl(origin: string, collection: OgcCollection, { bbox, limit, offset, sortBy, properties }: ItemsQuery): string {
  const search = new URLSearchParams({
    ...(bbox ? { bbox: bbox.join(',') } : {}),
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
  const filter = { bbox: query.bbox, prefixes };
  const [numberMatched, features] = await Promise.all([
    countFeatures(context.db, collection, filter),
    pageOfFeatures(context.db, collection, filter, query),
  ]).then(([matched, page]) => [matched, page.map((feature) => withProperties(feature, query.properties))] as const);
  const links: Link[] = [
    { href: itemsUrl(origin, collection, query), rel: 'self', type: GEOJSON_TYPE, title: 'This page' },
    { href: `${origin}/ogc/collections/${collection.id}`, rel: 'collection', type: JSON_TYPE, title: collection.title },
  ];
  if (query.offset + features.length < numberMatched) {
    links.push({ href: itemsUrl(origin, collection, { ...query, offset: query.offset + query.limit }), rel: 'next', type: GEOJSON_TYPE, title: 'Next page' });
  }
  if (query.offset > 0) {
    links.push({ href: itemsUrl(origin, collection, { ...query, offset: Math.max(0, query.offset - query.limit) }), rel: 'prev', type: GEOJSON_TYPE, title: 'Previous page' });
  }
  return { type: 'FeatureCollection', numberMatched, numberReturned: features.length, timeStamp: new Date().toISOString(), features, links };
}

export async function itemDocument(
  context: AppContext, origin: string, collection: OgcCollection, featureId: string, prefixes: CodePrefixes,
): Promise<Feature & { links: Link[] }> {
  const feature = await findFeature(context.db, collection, featureId, prefixes);
  if (!feature) throw notFound('Feature', featureId);
  const collectionUrl = `${origin}/ogc/collections/${collection.id}`;
  return {
    ...feature,
    links: [
      { href: `${collectionUrl}/items/${featureId}`, rel: 'self', type: GEOJSON_TYPE },
      { href: collectionUrl, rel: 'collection', type: JSON_TYPE, title: collection.title },
    ],
  };
}

/**
 * OGC API Features Part 3 queryables: a JSON Schema of the properties `sortby` takes. Filtering
 * (CQL2) is not offered yet, so only the queryables conformance class is declared.
 */
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
    properties,
    additionalProperties: false,
  };
}
