import { api } from '../api/client.ts';
import { Resource } from '../api/resource.svelte.ts';
import type { EmergingHotspots, HotspotMap } from '../api/types.ts';
import type { HoveredSpot } from './hotspot-layers.ts';
import { url } from '../url-state.svelte.ts';
import { parseHotspotSettings, type HotspotSettings } from './hotspot-style.ts';

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
 * The hot-spot layer of a map page: the Gi* answer or the emerging one (as the settings ask)
 * and the cell under the pointer. A page calls `load` from an $effect and returns what it gives
 * back, so a change of settings cancels the request in flight. The deck.gl layers that draw it are
 * hotspotLayers (hotspot-layers.ts), apart: a page loads deck.gl only when it shows them.
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
}
