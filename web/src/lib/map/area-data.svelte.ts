import { PREFIX_LENGTH } from '../../../../server/domain/codes.ts';
import { api } from '../api/client.ts';
import { areaLevels, type AreaCollection, type AreaLevel, type AreaProperties, type Bbox } from '../api/types.ts';
import { extentOf } from './geometry.ts';

const emptyCollection: AreaCollection = { type: 'FeatureCollection', features: [] };

/** An area's level by its code's length (PREFIX_LENGTH: district 6 … grid 14). */
const levelOfCode = (code: string) => areaLevels.find((level) => PREFIX_LENGTH[level] === code.length);

/** The code of the area above (grid → community → street → district); none for a district. */
function parentCodeOf(code: string): string | null {
  const level = levelOfCode(code);
  const above = level ? areaLevels[areaLevels.indexOf(level) - 1] : undefined;
  return above ? code.slice(0, PREFIX_LENGTH[above]) : null;
}

export interface AreaDataOptions {
  /**
   * Levels left out of load(): their boundaries are drawn from vector tiles (issue 18: a city's
   * 20,000 grids, or its communities and streets, are megabytes of GeoJSON to fetch and tessellate
   * on every visit). ensure() loads one when a page needs its polygons after all (hot spots, a
   * highlighted grid); their names come from nameCells().
   */
  deferred?: readonly AreaLevel[];
}

/** The boundaries of the user's jurisdiction at every level, loaded once per visit. */
export class AreaData {
  readonly deferred: readonly AreaLevel[];
  #ensured = new Set<AreaLevel>();
  /** Names of cells whose level is deferred, from an answer that carried them (the heatmap's cell list). */
  #names = $state.raw(new Map<string, string>());

  constructor(options: AreaDataOptions = {}) {
    this.deferred = options.deferred ?? [];
  }

  /** Whether the street and community boundaries (and so the district's, drawn with them) come as tiles. */
  get boundariesTiled(): boolean {
    return this.deferred.includes('street') || this.deferred.includes('community');
  }

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
    for (const [code, name] of this.#names) {
      const level = levelOfCode(code);
      if (level) index.set(code, { code, name, level, parentCode: parentCodeOf(code) });
    }
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
      const wanted = areaLevels.filter((level) => !this.deferred.includes(level) || this.#ensured.has(level));
      const loaded = await Promise.all(wanted.map(async (level) => [level, await api.areas(level, signal)] as const));
      this.collections = { ...this.collections, ...Object.fromEntries(loaded) };
      await this.#loadOutline(signal);
      this.status = 'ready';
    } catch (error) {
      if (signal?.aborted) return;
      this.error = error;
      this.status = 'error';
    }
  }

  /**
   * The first view fits the widest level the user sees: where the levels loaded hold nothing (a
   * street's or a community's leader sees no district), the widest deferred one that does is loaded,
   * within the jurisdiction a handful of areas.
   */
  async #loadOutline(signal?: AbortSignal): Promise<void> {
    for (const level of areaLevels) {
      if (this.collections[level].features.length > 0) return;
      if (!this.deferred.includes(level) || this.#ensured.has(level)) continue;
      const collection = await api.areas(level, signal);
      this.#ensured.add(level);
      this.collections = { ...this.collections, [level]: collection };
    }
  }

  /** Loads a deferred level's boundaries, once (a failure leaves the page as it was: nothing depends on them to draw). */
  ensure(level: AreaLevel): void {
    if (!this.deferred.includes(level) || this.#ensured.has(level)) return;
    this.#ensured.add(level);
    api.areas(level).then(
      (collection) => (this.collections = { ...this.collections, [level]: collection }),
      () => this.#ensured.delete(level),
    );
  }

  /** Names cells of a deferred level (code → name), so that lineage and tooltips can name them; a renamed cell takes its new name. */
  nameCells(cells: readonly { code: string; name?: string | null }[]): void {
    const renamed = cells.filter(({ code, name }) => name && this.#names.get(code) !== name);
    if (renamed.length === 0) return;
    const names = new Map(this.#names);
    for (const { code, name } of renamed) names.set(code, name!);
    this.#names = names;
  }

  #areaAbove(code: string): AreaProperties | undefined {
    const parentCode = parentCodeOf(code);
    return parentCode ? this.byCode.get(parentCode) : undefined;
  }

  /** The area with this code and its ancestors, finest first (grid → … → district). */
  lineage(code: string): AreaProperties[] {
    const chain: AreaProperties[] = [];
    // A cell of a deferred level not named yet: its chain starts at the area above it.
    let current = this.byCode.get(code) ?? this.#areaAbove(code);
    while (current && chain.length < areaLevels.length) {
      chain.push(current);
      current = current.parentCode ? this.byCode.get(current.parentCode) : undefined;
    }
    return chain;
  }
}
