import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { principalOf } from '../auth/session.ts';
import { ROLES } from '../db/schema.ts';
import { visiblePrefixes } from '../http/jurisdiction.ts';
import { originOf } from '../http/origin.ts';
import type { FeatureRoutes, RouteSchemas, RouteSpec } from '../http/route-registry.ts';
import { bilingual, parseParams, parseQuery, rule, textNumber, whenFieldsValid } from '../http/validate.ts';
import { ogcBboxSchema, ogcDatetimeSchema } from './bbox.ts';
import { OGC_COLLECTION_IDS, type OgcCollection } from './collections.ts';
import {
  collectionOrThrow,
  collectionsDocument,
  CONFORMANCE_CLASSES,
  GEOJSON_TYPE,
  itemDocument,
  itemsDocument,
  JSON_TYPE,
  landingPage,
  oneCollectionDocument,
  queryablesDocument,
} from './service.ts';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10000;

// OGC API Features answers 400 to a query parameter it does not define, hence strict objects.
const format = z.enum(['json'], { message: 'f must be json (the only encoding served)' }).optional();
const formatQuery = z.strictObject({ f: format });
const collectionParams = z.object({
  collectionId: z.string().meta({ enum: OGC_COLLECTION_IDS, description: 'An unknown collection answers 404' }),
});
const itemParams = collectionParams.extend({
  featureId: z.string().regex(/^[0-9]{6,25}$/, 'featureId must be a code of 6 to 25 digits'),
});
export const itemsQuery = z.strictObject({
  f: format,
  bbox: ogcBboxSchema.optional().describe('minLon,minLat,maxLon,maxLat (or six numbers with heights) in CRS84: features whose geometry intersects the box; minLon > maxLon crosses the antimeridian'),
  limit: textNumber(z.number().int('limit must be a whole number').min(1, 'limit must be at least 1').max(MAX_LIMIT, `limit must be at most ${MAX_LIMIT}`).default(DEFAULT_LIMIT)),
  offset: textNumber(z.number().int('offset must be a whole number').min(0, 'offset must be 0 or more').default(0)),
  datetime: ogcDatetimeSchema.optional().describe('An RFC 3339 instant or interval; checked, then without effect: no published collection has a time dimension'),
  sortby: z
    .string()
    .regex(/^[+-]?[A-Za-z][A-Za-z0-9]*(,[+-]?[A-Za-z][A-Za-z0-9]*)*$/, bilingual('sortby must be property names separated by commas, each with an optional + or - (e.g. -floors,code)', 'sortby 须为以逗号分隔的属性名，可带 + 或 -（如 -floors,code）'))
    .transform((text) => text.split(',').map((key) => ({ property: key.replace(/^[+-]/, ''), descending: key.startsWith('-') })))
    .optional()
    .describe('Sort keys among the collection\'s queryables (see /queryables), - for descending; ties keep code order'),
  properties: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]*(,[A-Za-z][A-Za-z0-9]*)*$/, bilingual('properties must be property names separated by commas', 'properties 须为以逗号分隔的属性名'))
    .transform((text) => text.split(','))
    .optional()
    .describe('Only these properties in each feature (the id and geometry always come)'),
});

/** The items query of one collection: sort keys and property names must be that collection's. */
function itemsQueryOf(collection: OgcCollection) {
  const sortable = Object.keys(collection.queryables);
  const listable = [...sortable, ...(collection.figures ?? [])];
  return itemsQuery.superRefine((query, context) => {
    const unknownSort = query.sortby?.find((key) => !sortable.includes(key.property));
    if (unknownSort) {
      const names = sortable.join(', ');
      context.addIssue({ code: 'custom', path: ['sortby'], ...rule('unknown_property', `sortby: ${unknownSort.property} is not a queryable of ${collection.id} (${names})`, `sortby：${unknownSort.property} 不是 ${collection.id} 可排序的属性（${names}）`) });
    }
    const unknownProperty = query.properties?.find((property) => !listable.includes(property));
    if (unknownProperty) {
      const names = listable.join(', ');
      context.addIssue({ code: 'custom', path: ['properties'], ...rule('unknown_property', `properties: ${unknownProperty} is not a property of ${collection.id} (${names})`, `properties：${unknownProperty} 不是 ${collection.id} 的属性（${names}）`) });
    }
  }, whenFieldsValid('sortby', 'properties'));
}


const sendAs = (response: Response, type: string, document: unknown) => response.type(type).send(JSON.stringify(document));

/**
 * A page of items carries the time it was made (timeStamp), so a tag over the whole body would
 * never match: the tag covers everything else, and a client revalidating an unchanged page gets
 * 304 (Express answers it when the request's If-None-Match equals the tag set here).
 */
function sendItems(response: Response, document: { timeStamp: string }) {
  const { timeStamp: _madeAt, ...content } = document;
  response.set('ETag', `W/"${createHash('sha256').update(JSON.stringify(content)).digest('base64url').slice(0, 27)}"`);
  sendAs(response, GEOJSON_TYPE, document);
}

/**
 * The service's own documents (landing page, conformance, collections) are public. Features are
 * read by signed-in users only and cut to their jurisdiction like every other read: the figures
 * of a district are not public, and a leader of one community reads that community.
 */
const ogcGet = (path: string, summary: string, schemas: RouteSchemas, handler: RouteSpec['handler'], access: RouteSpec['access'] = 'public'): RouteSpec => ({
  method: 'get',
  mount: '/',
  path: `/ogc${path}`,
  access,
  // GDAL pages through a city in tens of thousands of requests; each page is bounded by limit.
  cost: 'cheap',
  summary,
  schemas,
  handler,
  // Signed-in reads take a GIS client's access token too (the public documents need none).
  ...(access === 'public' ? {} : { acceptsAccessToken: true as const }),
});

const callerPrefixes = (request: Request) => visiblePrefixes(principalOf(request));

/** A JSON document route whose only query parameter is `f`. */
const documentHandler =
  (build: (request: Request) => unknown, type = JSON_TYPE): RouteSpec['handler'] =>
  async (request, response) => {
    parseQuery(formatQuery, request);
    // Public documents, no cookies read: any web GIS client may fetch them across origins.
    response.set('Access-Control-Allow-Origin', '*');
    sendAs(response, type, await build(request));
  };

export const ogcRoutes: FeatureRoutes = (context) => [
  ogcGet('', 'OGC API Features landing page', { query: formatQuery }, documentHandler((request) => landingPage(originOf(request)))),
  ogcGet('/conformance', 'OGC API conformance classes (core, GeoJSON)', { query: formatQuery }, documentHandler(() => ({ conformsTo: CONFORMANCE_CLASSES }))),
  ogcGet(
    '/collections',
    'The published feature collections (areas, grids, building footprints and points, statistics)',
    { query: formatQuery },
    documentHandler((request) => collectionsDocument(context, originOf(request))),
  ),
  ogcGet(
    '/collections/:collectionId',
    'One feature collection',
    { params: collectionParams, query: formatQuery },
    documentHandler((request) => oneCollectionDocument(context, originOf(request), parseParams(collectionParams, request).collectionId)),
  ),
  ogcGet(
    '/collections/:collectionId/queryables',
    'The properties of a collection a client may sort by (JSON Schema, OGC API Features Part 3)',
    { params: collectionParams, query: formatQuery },
    documentHandler((request) => queryablesDocument(originOf(request), parseParams(collectionParams, request).collectionId), 'application/schema+json'),
  ),
  ogcGet(
    '/collections/:collectionId/items',
    'Features of a collection as GeoJSON, by bbox, with limit/offset paging, numberMatched and next links',
    { params: collectionParams, query: itemsQuery },
    async (request, response) => {
      const collection = collectionOrThrow(parseParams(collectionParams, request).collectionId);
      const { bbox, limit, offset, sortby, properties } = parseQuery(itemsQueryOf(collection), request);
      const query = { bbox, limit, offset, sortBy: sortby ?? [], properties };
      sendItems(response, await itemsDocument(context, originOf(request), collection, query, callerPrefixes(request)));
    },
    ROLES,
  ),
  ogcGet('/collections/:collectionId/items/:featureId', 'One feature by its code', { params: itemParams, query: formatQuery }, async (request, response) => {
    const { collectionId, featureId } = parseParams(itemParams, request);
    parseQuery(formatQuery, request);
    sendAs(response, GEOJSON_TYPE, await itemDocument(context, originOf(request), collectionOrThrow(collectionId), featureId, callerPrefixes(request)));
  }, ROLES),
];
