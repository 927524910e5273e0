import type { Map as MapLibreMap } from 'maplibre-gl';
import { url } from '../url-state.svelte.ts';

/**
 * Which compound is open lives in the URL (compound), beside the building and unit (b, u): a
 * building opened from its compound keeps the compound, so closing the building (or Back)
 * returns to the compound's panel.
 */
export function openCompound(code: string): void {
  url.update({ compound: code, b: undefined, u: undefined });
}

export function closeCompound(): void {
  url.update({ compound: undefined });
}

/** The map layer the compound outlines are drawn in (CompoundOutlines.svelte). */
export const COMPOUND_LINE_LAYER = 'compound-line';

/** The codes of the compounds whose outline is drawn on screen now. */
export function compoundsInView(map: MapLibreMap): Set<string> {
  if (!map.getLayer(COMPOUND_LINE_LAYER)) return new Set();
  const drawn = map.queryRenderedFeatures({ layers: [COMPOUND_LINE_LAYER] });
  return new Set(drawn.map((feature) => feature.properties?.code).filter((code): code is string => typeof code === 'string'));
}
