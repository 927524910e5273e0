/**
 * MapLibre 6 finds its worker next to its own script (import.meta.url), which a bundler
 * breaks: the worker file is never emitted. Emit it as an asset and point MapLibre at it.
 * Import this module before any map is created.
 */
import { setWorkerUrl } from 'maplibre-gl';
import maplibreWorkerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';

setWorkerUrl(maplibreWorkerUrl);
