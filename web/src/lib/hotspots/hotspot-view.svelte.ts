import type { Layer } from '@deck.gl/core';
import { api } from '../api/client.ts';
import { Resource } from '../api/resource.svelte.ts';
import type { EmergingHotspots, HotspotMap } from '../api/types.ts';
import type { AreaData } from '../map/area-data.svelte.ts';
import { spotLayer, type HoveredSpot } from './hotspot-layers.ts';
import { url } from '../url-state.svelte.ts';
import { categoryColors, classColor, parseHotspotSettings, type HotspotSettings } from './hotspot-style.ts';

/** A cell withheld under k (fewer people than the privacy threshold): hatched, never coloured. */
const withheld = (cell: { suppressed?: true }) => cell.suppressed === true;

/** What the legend and tooltip read: the Gi* answer or the emerging one. */
export type HotspotAnswer = { kind: 'gi'; map: HotspotMap } | { kind: 'emerging'; map: EmergingHotspots };

/**
 * The hot-spot choices in the URL (hs, hm, level), as state that changes only when one of them
 * does: the URL changes on every pan, and a request should not follow it.
 */
export function urlHotspotSettings(): { readonly current: HotspotSettings } {
  const mode = $derived(parseHotspotSettings((key) => url.get(key)).mode);
  const metric = $derived(parseHotspotSettings((key) => url.get(key)).metric);
  const level = $derived(parseHotspotSettings((key) => url.get(key)).level);
  const settings = $derived<HotspotSettings>({ mode, metric, level });
  return {
    get current() {
      return settings;
    },
  };
}

export interface HotspotTime {
  asOf?: string;
  from?: string;
  to?: string;
}

/**
 * The hot-spot layer of a map page: the Gi* answer or the emerging one (as the settings ask),
 * the deck.gl layer drawing it and the cell under the pointer. A page calls `load` from an
 * $effect and returns what it gives back, so a change of settings cancels the request in flight.
 */
export class HotspotView {
  readonly gi = new Resource<HotspotMap>();
  readonly emerging = new Resource<EmergingHotspots>();
  hovered = $state.raw<HoveredSpot<{ code: string }> | undefined>();

  load(settings: HotspotSettings, time: HotspotTime): () => void {
    const { metric, level } = settings;
    this.hovered = undefined;
    if (settings.mode === 'gi') {
      this.emerging.clear();
      this.gi.load((signal) => api.hotspots(metric, { level, ...time }, signal));
      return () => this.gi.abort();
    }
    this.gi.clear();
    this.emerging.load((signal) => api.emergingHotspots(metric, { level, to: time.asOf ?? time.to }, signal));
    return () => this.emerging.abort();
  }

  clear(): void {
    this.gi.clear();
    this.emerging.clear();
    this.hovered = undefined;
  }

  /** The resource the settings show. */
  current(settings: HotspotSettings): Resource<HotspotMap> | Resource<EmergingHotspots> {
    return settings.mode === 'gi' ? this.gi : this.emerging;
  }

  /** The answer the settings show, once it is for their level. */
  answer(settings: HotspotSettings): HotspotAnswer | undefined {
    const gi = this.gi.value;
    if (settings.mode === 'gi') return gi && gi.level === settings.level ? { kind: 'gi', map: gi } : undefined;
    const emerging = this.emerging.value;
    return emerging && emerging.level === settings.level ? { kind: 'emerging', map: emerging } : undefined;
  }

  layers(areas: AreaData, settings: HotspotSettings): Layer[] {
    const onhover = (hovered: HoveredSpot<{ code: string }> | undefined) => (this.hovered = hovered);
    const answer = this.answer(settings);
    if (answer?.kind === 'gi') {
      const gi = answer.map;
      return spotLayer({
        id: 'hotspot-gi',
        areas,
        level: gi.level,
        cells: gi.cells,
        onhover,
        withheld,
        colorOf: (cell) => (cell.class === undefined ? undefined : classColor(cell.class)),
      });
    }
    if (answer?.kind === 'emerging') {
      const emerging = answer.map;
      const colors = categoryColors(emerging.categories);
      return spotLayer({
        id: 'hotspot-emerging',
        areas,
        level: emerging.level,
        cells: emerging.cells,
        onhover,
        withheld,
        colorOf: (cell) => (cell.category === undefined ? undefined : colors.get(cell.category)),
      });
    }
    return [];
  }
}
