/**
 * What the leader's map draws with deck.gl: hexagons, hot spots, the grid a "what changed" row
 * points at, and the overlay that draws them. LeaderHome imports this module only when one of
 * them is shown (issue 18): deck.gl is the largest part of the page's code, and its first view (an
 * area heatmap, MapLibre's own fill on vector tiles) draws nothing with it.
 */
export { choroplethLayers } from './choropleth.ts';
export { highlightLayer, hotspotLayers } from '../hotspots/hotspot-layers.ts';
export { default as DeckOverlay } from '../map/DeckOverlay.svelte';
