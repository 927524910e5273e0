import { CSV, GEOJSON, type RouteResponses, XLSX } from '../domain/contract-shapes.ts';

/** Layer downloads: the format parameter picks one of these. */
const LAYER_FORMATS = [CSV, XLSX, GEOJSON, 'application/geopackage+sqlite3'];

export const exportResponses: Record<string, RouteResponses> = {
  'get /api/exports/grids': { 200: { description: 'The grid layer as a file (format picks the type)', contentType: LAYER_FORMATS } },
  'get /api/exports/buildings': { 200: { description: 'The building layer as a file (format picks the type)', contentType: LAYER_FORMATS } },
  'get /api/exports/people': { 200: { description: 'The current occupants as a file (audited)', contentType: [CSV, XLSX] } },
};
