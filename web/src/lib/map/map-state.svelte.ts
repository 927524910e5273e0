import { untrack } from 'svelte';
import type { Map as MapLibreMap } from 'maplibre-gl';
import type { AreaLevel, BBox } from '../api/types.ts';

export type ToggleableLayer = AreaLevel | 'buildings';
export const toggleableLayers: readonly ToggleableLayer[] = [
  'district',
  'street',
  'community',
  'grid',
  'buildings',
];

/**
 * Below this zoom a viewport holds too many buildings to draw one by one (the server caps
 * the answer anyway); the district view shows boundaries only.
 */
export const buildingsMinZoom = 14;

/** Where the map looks, which layers show, and which building is selected. */
export class MapState {
  /** [lon, lat]; a placeholder until the first fit to the user's areas. */
  center = $state<[number, number]>([114.05, 22.55]);
  zoom = $state(10);
  /** The visible bbox after the last move; undefined before the map has loaded. */
  viewport = $state<BBox | undefined>();
  visible = $state<Record<ToggleableLayer, boolean>>({
    district: true,
    street: true,
    community: true,
    grid: true,
    buildings: true,
  });
  selectedBuildingCode = $state<string | undefined>();

  buildingsInReach = $derived(this.zoom >= buildingsMinZoom);
  showsBuildings = $derived(this.buildingsInReach && this.visible.buildings);

  /** Read the camera off the map after it moved. */
  follow(map: MapLibreMap): void {
    const center = map.getCenter();
    const bounds = map.getBounds();
    this.center = [center.lng, center.lat];
    this.zoom = map.getZoom();
    this.viewport = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()];
  }

  /** The camera as plain values, read without subscribing (to seed a new map). */
  snapshot(): { center: [number, number]; zoom: number } {
    return untrack(() => ({ center: [this.center[0], this.center[1]], zoom: this.zoom }));
  }

  toggle(layer: ToggleableLayer): void {
    this.visible[layer] = !this.visible[layer];
  }

  select(code: string | undefined): void {
    this.selectedBuildingCode = code;
  }
}
