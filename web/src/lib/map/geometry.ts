import { bbox } from '@turf/turf';
import type { FeatureCollection } from 'geojson';
import type { BBox } from '../api/types.ts';

/** The 2-D extent of a collection, or undefined when it holds no coordinates. */
export function extentOf(collection: FeatureCollection): BBox | undefined {
  if (collection.features.length === 0) return undefined;
  const box = bbox(collection);
  // A 3-D bbox is [minX, minY, minZ, maxX, maxY, maxZ].
  const extent: BBox = box.length === 6 ? [box[0], box[1], box[3], box[4]] : [box[0], box[1], box[2], box[3]];
  return extent.every(Number.isFinite) ? extent : undefined;
}
