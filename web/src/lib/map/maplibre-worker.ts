/**
 * MapLibre 6 finds its worker next to its own script (import.meta.url), which a bundler
 * breaks: the worker file is never emitted. Emit it as an asset and point MapLibre at it.
 * Import this module before any map is created.
 *
 * The workers are started here, when a page with a map loads (issue 18), not when its map is
 * created: that waits for /api/map-config, and every tile is fetched by a worker, whose script was
 * then asked for only after it.
 */
import { prewarm, setWorkerUrl } from 'maplibre-gl';
import maplibreWorkerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';

setWorkerUrl(maplibreWorkerUrl);
prewarm();
