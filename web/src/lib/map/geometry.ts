import { bbox, featureCollection, point, pointOnFeature } from '@turf/turf';
import type { FeatureCollection, Point } from 'geojson';
import type { AreaCollection, AreaProperties, Bbox } from '../api/types.ts';

/** The 2-D extent of a collection, or undefined when it holds no coordinates. */
export function extentOf(collection: FeatureCollection): Bbox | undefined {
  if (collection.features.length === 0) return undefined;
  const box = bbox(collection);
  // A 3-D bbox is [minX, minY, minZ, maxX, maxY, maxZ].
  const extent: Bbox = box.length === 6 ? [box[0], box[1], box[3], box[4]] : [box[0], box[1], box[2], box[3]];
  return extent.every(Number.isFinite) ? extent : undefined;
}

/**
 * One point inside each area, carrying its name and level, for the name labels. Placed once
 * here rather than by MapLibre, which labels each tile's piece of a polygon separately and so
 * would repeat a street's name on every tile it crosses.
 */
export function labelPoints(collection: AreaCollection): FeatureCollection<Point, AreaProperties> {
  return featureCollection(collection.features.map((area) => point(pointOnFeature(area).geometry.coordinates, area.properties)));
}
