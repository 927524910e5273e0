import { query } from '../api/client.ts';

/**
 * Where export files download from: plain links, so the browser saves the attachment the server
 * names (as the planner's plan export does). The server checks roles, jurisdiction and fields.
 */
export const exportLayers = ['grids', 'buildings'] as const;
export type ExportLayer = (typeof exportLayers)[number];
export const layerFormats = ['csv', 'xlsx', 'geojson', 'gpkg'] as const;
export type LayerFormat = (typeof layerFormats)[number];
export const outputCrs = ['wgs84', 'gcj02'] as const;
export type OutputCrs = (typeof outputCrs)[number];
export const tableFormats = ['csv', 'xlsx'] as const;
export type TableFormat = (typeof tableFormats)[number];

export interface LayerExport {
  format: LayerFormat;
  crs: OutputCrs;
  /** District, street, community or grid code; the whole jurisdiction when absent. */
  area?: string;
  /** Day of the population figures (grids). */
  asOf?: string;
}

export function layerExportUrl(layer: ExportLayer, options: LayerExport): string {
  const asOf = layer === 'grids' ? options.asOf : undefined;
  return `/api/exports/${layer}${query({ format: options.format, crs: options.crs === 'wgs84' ? undefined : options.crs, area: options.area, asOf })}`;
}

export interface PeopleExport {
  building: string;
  format: TableFormat;
  purpose: string;
  masked: boolean;
}

export function peopleExportUrl(options: PeopleExport): string {
  return `/api/exports/people${query({ building: options.building, format: options.format, purpose: options.purpose, masked: options.masked ? 'true' : undefined })}`;
}
