import { z } from 'zod';
import { feature, featureCollection, GEOJSON, instant, type RouteResponses } from '../domain/contract-shapes.ts';

/** OGC API - Features documents, as JSON (or as HTML when f=html or the browser asks). */
export const ogcLink = z.looseObject({
  href: z.string(),
  rel: z.string().meta({ examples: ['self'] }),
  type: z.string().optional(),
  title: z.string().optional(),
});
export const landingPage = z.looseObject({ title: z.string(), description: z.string(), links: z.array(ogcLink) });
export const conformance = z.object({ conformsTo: z.array(z.string()).meta({ examples: [['http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core']] }) });
export const collection = z.looseObject({
  id: z.string().meta({ examples: ['grids'] }),
  title: z.string(),
  description: z.string().optional(),
  itemType: z.literal('feature').optional(),
  crs: z.array(z.string()).optional(),
  storageCrs: z.string().optional(),
  extent: z.looseObject({ spatial: z.looseObject({ bbox: z.array(z.array(z.number())), crs: z.string().optional() }) }).optional(),
  links: z.array(ogcLink),
});
export const collections = z.object({ links: z.array(ogcLink), collections: z.array(collection) });
export const queryables = z.looseObject({
  $schema: z.string().optional(),
  $id: z.string().optional(),
  type: z.literal('object'),
  properties: z.record(z.string(), z.unknown()),
});
export const items = featureCollection(z.record(z.string(), z.unknown()).nullable(), {
  numberMatched: z.number().int().optional(),
  numberReturned: z.number().int().optional(),
  timeStamp: instant.optional(),
  links: z.array(ogcLink).optional(),
});

const HTML = 'text/html';
/** The JSON answer under its media type, and the HTML page of the same. */
const document = (description: string, schema: z.ZodType, contentType = 'application/json'): RouteResponses => ({
  200: { description: `${description} (HTML with f=html)`, contentType: [contentType, HTML], schema },
});

export const ogcResponses: Record<string, RouteResponses> = {
  'get /ogc': document('The landing page', landingPage),
  'get /ogc/conformance': document('The conformance classes', conformance),
  'get /ogc/collections': document('The collections', collections),
  'get /ogc/collections/:collectionId': document('The collection', collection),
  'get /ogc/collections/:collectionId/queryables': document('The queryables, as JSON Schema', queryables, 'application/schema+json'),
  'get /ogc/collections/:collectionId/items': document('The features', items, GEOJSON),
  'get /ogc/collections/:collectionId/items/:featureId': document('The feature', feature(z.record(z.string(), z.unknown()).nullable()), GEOJSON),
};
