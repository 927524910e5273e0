import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { ROLES } from '../db/schema.ts';
import { visiblePrefixes } from '../http/jurisdiction.ts';
import { originOf } from '../http/origin.ts';
import { route, type FeatureRoutes, type RouteSchemas, type RouteSpec, type TypedRouteSpec } from '../http/route-registry.ts';
import { bilingual, parseQuery, rule, textNumber, whenFieldsValid } from '../http/validate.ts';
import { bboxRangeIssue, lonLatOrder, ogcBboxSchema, ogcDatetimeSchema } from './bbox.ts';
import { FilterError, filterSql } from './cql2.ts';
import { collectionHtml, collectionsHtml, itemHtml, itemsHtml, jsonHtml, landingHtml } from './html.ts';
import { OGC_COLLECTION_IDS, type OgcCollection } from './collections.ts';
import {
  collectionOrThrow,
  collectionsDocument,
  CONFORMANCE_CLASSES,
  CRS84,
  EPSG_4326,
  GEOJSON_TYPE,
  HTML_TYPE,
  OUTPUT_CRS,
  type OutputCrsUri,
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
const format = z
  .enum(['json', 'html'], { message: bilingual('f must be json or html', 'f 须为 json 或 html') })
  .optional()
  .describe('json (GeoJSON for features) or html; without f, an Accept header preferring text/html gets html');
const crsUri = (name: string) =>
  z
    .enum(OUTPUT_CRS, {
      message: bilingual(
        `${name} must be ${OUTPUT_CRS.join(' or ')} (WGS84; EPSG:4326 lists latitude first)`,
        `${name} 须为 ${OUTPUT_CRS.join(' 或 ')}（WGS84；EPSG:4326 纬度在前）`,
      ),
    })
    .optional();
const formatQuery = z.strictObject({ f: format });
const collectionParams = z.object({
  collectionId: z.string().meta({ enum: OGC_COLLECTION_IDS, description: 'An unknown collection answers 404' }),
});
const itemQuery = z.strictObject({ f: format, crs: crsUri('crs').describe("The coordinates' system: CRS84 (lon, lat; the default) or EPSG:4326 (lat, lon)") });
const itemParams = collectionParams.extend({
  featureId: z.string().regex(/^[0-9]{6,25}$/, 'featureId must be a code of 6 to 25 digits'),
});
export const itemsQuery = z.strictObject({
  f: format,
  bbox: ogcBboxSchema
    .optional()
    .describe(
      'minLon,minLat,maxLon,maxLat (or six numbers with heights) in CRS84, or minLat,minLon,maxLat,maxLon with bbox-crs EPSG:4326: features whose geometry intersects the box; a west edge east of the east edge crosses the antimeridian',
    ),
  'bbox-crs': crsUri('bbox-crs').describe('The system of bbox: CRS84 (the default) or EPSG:4326 (lat, lon)'),
  crs: crsUri('crs').describe(
    'The system of the coordinates returned: CRS84 (lon, lat; the default) or EPSG:4326 (lat, lon); the answer names it in Content-Crs',
  ),
  filter: z
    .string()
    .optional()
    .describe(
      "A CQL2 filter over the collection's queryables (see /queryables): =, <>, <, <=, >, >=, LIKE, IN, BETWEEN, IS NULL, AND, OR, NOT, S_INTERSECTS(geometry, BBOX(...)|POINT(...)|POLYGON(...)); e.g. floors >= 3 AND use IN ('urban_village','shop')",
    ),
  'filter-lang': z
    .enum(['cql2-text', 'cql2-json'], { message: bilingual('filter-lang must be cql2-text or cql2-json', 'filter-lang 须为 cql2-text 或 cql2-json') })
    .optional()
    .describe('cql2-text (the default) or cql2-json'),
  'filter-crs': z
    .enum([CRS84], { message: bilingual(`filter-crs must be ${CRS84}`, `filter-crs 须为 ${CRS84}`) })
    .optional()
    .describe("The system of the filter's geometry literals: CRS84 only"),
  limit: textNumber(
    z
      .number()
      .int('limit must be a whole number')
      .min(1, 'limit must be at least 1')
      .max(MAX_LIMIT, `limit must be at most ${MAX_LIMIT}`)
      .default(DEFAULT_LIMIT),
  ),
  offset: textNumber(z.number().int('offset must be a whole number').min(0, 'offset must be 0 or more').default(0)),
  datetime: ogcDatetimeSchema
    .optional()
    .describe('An RFC 3339 instant or interval; checked, then without effect: no published collection has a time dimension'),
  sortby: z
    .string()
    .regex(
      /^[+-]?[A-Za-z][A-Za-z0-9]*(,[+-]?[A-Za-z][A-Za-z0-9]*)*$/,
      bilingual(
        'sortby must be property names separated by commas, each with an optional + or - (e.g. -floors,code)',
        'sortby 须为以逗号分隔的属性名，可带 + 或 -（如 -floors,code）',
      ),
    )
    .transform((text) => text.split(',').map((key) => ({ property: key.replace(/^[+-]/, ''), descending: key.startsWith('-') })))
    .optional()
    .describe("Sort keys among the collection's queryables (see /queryables), - for descending; ties keep code order"),
  properties: z
    .string()
    .regex(
      /^[A-Za-z][A-Za-z0-9]*(,[A-Za-z][A-Za-z0-9]*)*$/,
      bilingual('properties must be property names separated by commas', 'properties 须为以逗号分隔的属性名'),
    )
    .transform((text) => text.split(','))
    .optional()
    .describe('Only these properties in each feature (the id and geometry always come)'),
});

/** A filter that cannot be read, or names what the collection does not have, is a 400 naming `filter`. */
function checkFilter(
  collection: OgcCollection,
  query: { filter?: string | undefined; 'filter-lang'?: 'cql2-text' | 'cql2-json' | undefined },
  context: z.RefinementCtx,
) {
  if (query.filter === undefined) return;
  try {
    filterSql(collection, query.filter, query['filter-lang'] ?? 'cql2-text');
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    context.addIssue({ code: 'custom', path: ['filter'], ...rule('invalid_filter', error.message, error.zh) });
  }
}

/** The bbox in CRS84 order, then checked against WGS84's ranges. */
function checkBbox(query: { bbox?: readonly number[] | undefined; 'bbox-crs'?: OutputCrsUri | undefined }, context: z.RefinementCtx) {
  const issue = query.bbox && bboxRangeIssue(query['bbox-crs'] === EPSG_4326 ? lonLatOrder(query.bbox) : query.bbox);
  if (issue) context.addIssue({ code: 'custom', path: ['bbox'], ...rule('invalid_bbox', issue[0], issue[1]) });
}

/** The items query of one collection: sort keys, property names and filter must be that collection's. */
function itemsQueryOf(collection: OgcCollection) {
  const sortable = Object.keys(collection.queryables);
  const listable = [...sortable, ...(collection.figures ?? [])];
  return itemsQuery
    .superRefine(
      (query, context) => {
        const unknownSort = query.sortby?.find((key) => !sortable.includes(key.property));
        if (unknownSort) {
          const names = sortable.join(', ');
          context.addIssue({
            code: 'custom',
            path: ['sortby'],
            ...rule(
              'unknown_property',
              `sortby: ${unknownSort.property} is not a queryable of ${collection.id} (${names})`,
              `sortby：${unknownSort.property} 不是 ${collection.id} 可排序的属性（${names}）`,
            ),
          });
        }
        const unknownProperty = query.properties?.find((property) => !listable.includes(property));
        if (unknownProperty) {
          const names = listable.join(', ');
          context.addIssue({
            code: 'custom',
            path: ['properties'],
            ...rule(
              'unknown_property',
              `properties: ${unknownProperty} is not a property of ${collection.id} (${names})`,
              `properties：${unknownProperty} 不是 ${collection.id} 的属性（${names}）`,
            ),
          });
        }
      },
      whenFieldsValid('sortby', 'properties'),
    )
    .superRefine((query, context) => checkFilter(collection, query, context), whenFieldsValid('filter', 'filter-lang'))
    .superRefine(checkBbox, whenFieldsValid('bbox', 'bbox-crs'));
}

const sendAs = (response: Response, type: string, document: unknown) => response.type(type).send(JSON.stringify(document));

/**
 * HTML when f=html, or, without f, when the Accept header prefers text/html to JSON (a browser);
 * GIS clients and scripts (Accept: any type, or JSON) get JSON.
 */
function wantsHtml(request: Request, response: Response, format: 'json' | 'html' | undefined): boolean {
  if (format) return format === 'html';
  response.vary('Accept');
  return request.accepts([JSON_TYPE, GEOJSON_TYPE, HTML_TYPE]) === HTML_TYPE;
}

/** The answer's coordinate system (OGC API Features Part 2), as a URI in angle brackets. */
const setContentCrs = (response: Response, crs: OutputCrsUri) => response.set('Content-Crs', `<${crs}>`);

/**
 * A page of items carries the time it was made (timeStamp), so a tag over the whole body would
 * never match: the tag covers everything else, and a client revalidating an unchanged page gets
 * 304 (Express answers it when the request's If-None-Match equals the tag set here).
 */
function sendItems(response: Response, document: { timeStamp: string }, html: string | undefined) {
  const { timeStamp: _madeAt, ...content } = document;
  const tag = createHash('sha256')
    .update(html ?? JSON.stringify(content))
    .digest('base64url')
    .slice(0, 27);
  response.set('ETag', `W/"${html === undefined ? '' : 'h'}${tag}"`);
  if (html === undefined) sendAs(response, GEOJSON_TYPE, document);
  else response.type(HTML_TYPE).send(html);
}

/**
 * The service's own documents (landing page, conformance, collections) are public. Features are
 * read by signed-in users only and cut to their jurisdiction like every other read: the figures
 * of a district are not public, and a leader of one community reads that community.
 */
const ogcGet = <const S extends RouteSchemas, const A extends RouteSpec['access'] = 'public'>(
  path: string,
  summary: string,
  schemas: S,
  handler: TypedRouteSpec<S, A>['handler'],
  access: A = 'public' as A,
): RouteSpec =>
  route({
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

type CollectionParams = z.output<typeof collectionParams>;

/**
 * A document route whose only query parameter is `f`: JSON, or the HTML page `html` makes of the
 * same document; `build` gets the route's parsed path parameters (none, or the collection's).
 */
const documentHandler =
  <D, P = undefined>(build: (request: Request, params: P) => D | Promise<D>, html: (document: D, request: Request) => string, type = JSON_TYPE) =>
  async ({ params, query }: { params: P; query: z.output<typeof formatQuery> }, request: Request, response: Response) => {
    // Public documents, no cookies read: any web GIS client may fetch them across origins.
    response.set('Access-Control-Allow-Origin', '*');
    const document = await build(request, params);
    if (wantsHtml(request, response, query.f)) response.type(HTML_TYPE).send(html(document, request));
    else sendAs(response, type, document);
  };

/** A document with no page of its own shows its JSON, escaped. */
const asJsonPage = (title: string) => (document: unknown, request: Request) => jsonHtml(title, document, `${originOf(request)}${request.path}`);

export const ogcRoutes: FeatureRoutes = (context) => [
  ogcGet(
    '',
    'OGC API Features landing page',
    { query: formatQuery },
    documentHandler((request) => landingPage(originOf(request)), landingHtml),
  ),
  ogcGet(
    '/conformance',
    'OGC API conformance classes (Part 1 core, GeoJSON, HTML; Part 2 crs; Part 3 queryables and filters; CQL2 text and JSON)',
    { query: formatQuery },
    documentHandler(() => ({ conformsTo: CONFORMANCE_CLASSES }), asJsonPage('Conformance')),
  ),
  ogcGet(
    '/collections',
    'The published feature collections (areas, grids, building footprints and points, statistics)',
    { query: formatQuery },
    documentHandler((request) => collectionsDocument(context, originOf(request)), collectionsHtml),
  ),
  ogcGet(
    '/collections/:collectionId',
    'One feature collection',
    { params: collectionParams, query: formatQuery },
    documentHandler((request, { collectionId }: CollectionParams) => oneCollectionDocument(context, originOf(request), collectionId), collectionHtml),
  ),
  ogcGet(
    '/collections/:collectionId/queryables',
    'The properties of a collection a client may filter and sort by (JSON Schema, OGC API Features Part 3)',
    { params: collectionParams, query: formatQuery },
    documentHandler(
      (request, { collectionId }: CollectionParams) => queryablesDocument(originOf(request), collectionId),
      asJsonPage('Queryables'),
      'application/schema+json',
    ),
  ),
  ogcGet(
    '/collections/:collectionId/items',
    'Features of a collection as GeoJSON (or HTML), by bbox and CQL2 filter, sorted, with limit/offset paging, numberMatched and next links',
    { params: collectionParams, query: itemsQuery },
    async ({ params, principal }, request, response) => {
      const collection = collectionOrThrow(params.collectionId);
      // The registry checked the query's form; sort keys, properties and filter are checked against this collection.
      const parsed = parseQuery(itemsQueryOf(collection), request);
      const bboxCrs = parsed['bbox-crs'];
      const query = {
        bbox: parsed.bbox && bboxCrs === EPSG_4326 ? lonLatOrder(parsed.bbox) : parsed.bbox,
        bboxCrs,
        filter: parsed.filter,
        filterLang: parsed['filter-lang'],
        crs: parsed.crs ?? CRS84,
        limit: parsed.limit,
        offset: parsed.offset,
        sortBy: parsed.sortby ?? [],
        properties: parsed.properties,
      };
      const document = await itemsDocument(context, originOf(request), collection, query, visiblePrefixes(principal));
      setContentCrs(response, query.crs);
      sendItems(response, document, wantsHtml(request, response, parsed.f) ? itemsHtml(collection.title, document) : undefined);
    },
    ROLES,
  ),
  ogcGet(
    '/collections/:collectionId/items/:featureId',
    'One feature by its code',
    { params: itemParams, query: itemQuery },
    async ({ params: { collectionId, featureId }, query: { f, crs = CRS84 }, principal }, request, response) => {
      const feature = await itemDocument(context, originOf(request), collectionOrThrow(collectionId), featureId, visiblePrefixes(principal), crs);
      setContentCrs(response, crs);
      if (wantsHtml(request, response, f)) response.type(HTML_TYPE).send(itemHtml(feature));
      else sendAs(response, GEOJSON_TYPE, feature);
    },
    ROLES,
  ),
];
