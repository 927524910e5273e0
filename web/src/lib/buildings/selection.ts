import type { Map as MapLibreMap } from 'maplibre-gl';
import { url } from '../url-state.svelte.ts';

/**
 * Which building and unit are open lives in the URL (b, u): a drill-down can be bookmarked, and
 * Back closes the unit, then the building.
 */
export const buildingOf = (unitCode: string) => unitCode.slice(0, 19);

export function openBuilding(code: string): void {
  url.update({ b: code, u: undefined });
}

export function openUnit(buildingCode: string, unitCode: string): void {
  url.update({ b: buildingCode, u: unitCode });
}

export function closeBuilding(): void {
  url.update({ b: undefined, u: undefined });
}

// Close enough to see a building's footprint and its neighbours.
const BUILDING_ZOOM = 16.5;

/** Brings an opened building into view and close enough to see it, unless it already is. */
export function revealBuilding(map: MapLibreMap | undefined, point: [number, number]): void {
  if (!map || (map.getBounds().contains(point) && map.getZoom() >= BUILDING_ZOOM - 1)) return;
  map.flyTo({ center: point, zoom: Math.max(map.getZoom(), BUILDING_ZOOM) });
}
