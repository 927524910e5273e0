import type { Map as MapLibreMap } from 'maplibre-gl';
import { tierStyle, tiers, type Tier, type TierShape } from './scales.ts';

/**
 * The tier markers as map images, drawn at start-up on a canvas (nothing fetched: the map works
 * offline and the style has no sprite). Each tier has its own shape as well as its colour.
 */
const SIZE = 40;
const PIXEL_RATIO = 2;

function shapePath(context: CanvasRenderingContext2D, shape: TierShape): void {
  const middle = SIZE / 2;
  const radius = SIZE / 2 - 4;
  context.beginPath();
  if (shape === 'circle') {
    context.arc(middle, middle, radius * 0.8, 0, Math.PI * 2);
  } else if (shape === 'diamond') {
    context.moveTo(middle, middle - radius);
    context.lineTo(middle + radius, middle);
    context.lineTo(middle, middle + radius);
    context.lineTo(middle - radius, middle);
  } else if (shape === 'triangle') {
    context.moveTo(middle, middle - radius);
    context.lineTo(middle + radius, middle + radius * 0.8);
    context.lineTo(middle - radius, middle + radius * 0.8);
  } else {
    for (let point = 0; point < 10; point += 1) {
      const reach = point % 2 === 0 ? radius : radius * 0.45;
      const angle = -Math.PI / 2 + (point * Math.PI) / 5;
      context.lineTo(middle + reach * Math.cos(angle), middle + reach * Math.sin(angle));
    }
  }
  context.closePath();
}

function markerImage(tier: Tier): ImageData {
  const canvas = document.createElement('canvas');
  canvas.width = SIZE;
  canvas.height = SIZE;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('This browser cannot draw on a canvas');
  shapePath(context, tierStyle[tier].shape);
  context.fillStyle = tierStyle[tier].color;
  context.fill();
  context.lineWidth = 3;
  context.strokeStyle = '#ffffff';
  context.stroke();
  return context.getImageData(0, 0, SIZE, SIZE);
}

export const tierImageId = (tier: Tier) => `tier-${tier}`;

/** The MapLibre layer of the tier markers (TierLayer.svelte); a click on one opens its building. */
export const TIER_MARKER_LAYER = 'rental-tier-markers';

/** Supplies the markers whenever the map asks for one it lacks (also after a style reload). */
export function provideTierMarkers(map: MapLibreMap): () => void {
  map.setMissingStyleImageResolver((id) => {
    const tier = tiers.find((candidate) => tierImageId(candidate) === id);
    if (tier && !map.hasImage(id)) map.addImage(id, markerImage(tier), { pixelRatio: PIXEL_RATIO });
  });
  return () => map.setMissingStyleImageResolver(null);
}
