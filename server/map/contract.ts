import { z } from 'zod';
import type { RouteResponses } from '../domain/contract-shapes.ts';

export const mapConfig = z.object({ basemap: z.object({ styleUrl: z.string(), crs: z.enum(['wgs84', 'gcj02']) }).nullable() });

export const mapResponses: Record<string, RouteResponses> = {
  'get /api/map-config': { 200: { description: 'The basemap the web map draws under the layers (null: none configured)', schema: mapConfig } },
};
