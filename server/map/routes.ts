import { ROLES } from '../db/schema.ts';
import { route, type FeatureRoutes } from '../http/route-registry.ts';

/** What the web map needs to know about the basemap: none by default (area names and outlines only). */
export const mapRoutes: FeatureRoutes = (context) => [
  route({
    method: 'get',
    path: '/map-config',
    access: ROLES,
    summary: 'The basemap the map draws under its layers (the office intranet style URL and its CRS), or none',
    handler: (_input, _request, response) => {
      const basemap = context.config.basemap;
      response.json({ basemap: basemap ? { styleUrl: basemap.styleUrl, crs: basemap.crs } : null });
    },
  }),
];
