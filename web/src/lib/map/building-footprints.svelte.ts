import { api, isAbortError } from '../api/client.ts';
import type { BBox, BuildingFootprintCollection } from '../api/types.ts';

const emptyFootprints: BuildingFootprintCollection = {
  type: 'FeatureCollection',
  features: [],
  truncated: false,
};

/** Waiting this long after the map stops keeps a drag or a zoom from firing many requests. */
const settleMs = 250;

/** Building footprints for the current viewport; a new request cancels the one in flight. */
export class BuildingFootprints {
  collection = $state.raw<BuildingFootprintCollection>(emptyFootprints);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state.raw<unknown>();

  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight: AbortController | undefined;

  /** Load the footprints inside bbox once the viewport has settled. */
  requestFor(bbox: BBox): void {
    this.#cancel();
    this.#timer = setTimeout(() => void this.#load(bbox), settleMs);
  }

  /** Forget what was loaded, e.g. when zoomed out past where buildings are drawn. */
  clear(): void {
    this.#cancel();
    this.collection = emptyFootprints;
    this.status = 'idle';
    this.error = undefined;
  }

  dispose(): void {
    this.#cancel();
  }

  async #load(bbox: BBox): Promise<void> {
    const controller = new AbortController();
    this.#inFlight = controller;
    this.status = 'loading';
    try {
      this.collection = await api.buildingFootprints(bbox, controller.signal);
      this.status = 'ready';
      this.error = undefined;
    } catch (error) {
      if (isAbortError(error) || controller.signal.aborted) return;
      this.error = error;
      this.status = 'error';
    } finally {
      if (this.#inFlight === controller) this.#inFlight = undefined;
    }
  }

  #cancel(): void {
    clearTimeout(this.#timer);
    this.#inFlight?.abort();
    this.#inFlight = undefined;
  }
}
