import type { Map as MapLibreMap } from 'maplibre-gl';

/**
 * deck.gl 9.4 draws interleaved layers by reading `map.transform` (its height and elevation),
 * which MapLibre 6 moved to `map._camera.transform`. Until @deck.gl/mapbox follows, give the
 * map the old accessor, so deck layers can sit between MapLibre layers (under the boundaries)
 * instead of on a canvas above everything.
 */
export function exposeTransformForDeck(map: MapLibreMap): void {
  if ('transform' in map) return;
  const camera = (map as unknown as { _camera?: { transform: unknown } })._camera;
  if (!camera) return;
  Object.defineProperty(map, 'transform', { configurable: true, get: () => camera.transform });
}
