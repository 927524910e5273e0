import { api } from '../api/client.ts';
import { areaLevels, type AreaCollection, type AreaLevel, type AreaProperties, type Bbox } from '../api/types.ts';
import { extentOf } from './geometry.ts';

const emptyCollection: AreaCollection = { type: 'FeatureCollection', features: [] };

/** The boundaries of the user's jurisdiction at every level, loaded once per visit. */
export class AreaData {
  collections = $state.raw<Record<AreaLevel, AreaCollection>>({
    district: emptyCollection,
    street: emptyCollection,
    community: emptyCollection,
    grid: emptyCollection,
  });
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state.raw<unknown>();

  /** Every area by code, so a grid can name the community, street and district above it. */
  byCode = $derived.by(() => {
    const index = new Map<string, AreaProperties>();
    for (const level of areaLevels) {
      for (const feature of this.collections[level].features) index.set(feature.properties.code, feature.properties);
    }
    return index;
  });

  isEmpty = $derived(areaLevels.every((level) => this.collections[level].features.length === 0));

  /** The district outline's extent, or the widest level that has anything. */
  extent = $derived.by((): Bbox | undefined => {
    for (const level of areaLevels) {
      const extent = extentOf(this.collections[level]);
      if (extent) return extent;
    }
    return undefined;
  });

  async load(signal?: AbortSignal): Promise<void> {
    this.status = 'loading';
    this.error = undefined;
    try {
      const loaded = await Promise.all(areaLevels.map((level) => api.areas(level, signal)));
      this.collections = {
        // One answer per level of areaLevels, in its order.
        district: loaded[0]!,
        street: loaded[1]!,
        community: loaded[2]!,
        grid: loaded[3]!,
      };
      this.status = 'ready';
    } catch (error) {
      if (signal?.aborted) return;
      this.error = error;
      this.status = 'error';
    }
  }

  /** The area with this code and its ancestors, finest first (grid → … → district). */
  lineage(code: string): AreaProperties[] {
    const chain: AreaProperties[] = [];
    let current = this.byCode.get(code);
    while (current && chain.length < areaLevels.length) {
      chain.push(current);
      current = current.parentCode ? this.byCode.get(current.parentCode) : undefined;
    }
    return chain;
  }
}
