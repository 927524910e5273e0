import type { Feature, MultiPolygon, Polygon } from 'geojson';
import type { AreaLevel } from '../api/types.ts';
import type { AreaData } from './area-data.svelte.ts';

export type AreaFeature<T> = Feature<Polygon | MultiPolygon, { row: T }>;

/**
 * Figures per area come without geometry (the API sends codes): join them to the boundaries
 * already loaded, by code. Rows whose area is not loaded are left out.
 */
export function joinAreas<T extends { code: string }>(areas: AreaData, level: AreaLevel, rows: readonly T[]): AreaFeature<T>[] {
  const byCode = new Map(areas.collections[level].features.map((feature) => [feature.properties.code, feature]));
  return rows.flatMap((row) => {
    const area = byCode.get(row.code);
    return area ? [{ type: 'Feature', geometry: area.geometry, properties: { row } } satisfies AreaFeature<T>] : [];
  });
}
