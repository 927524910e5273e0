/**
 * The map camera in the URL: z=14.25&c=114.25140,22.72020. Pure functions, so the URL format is
 * defined once for reading, writing and comparing.
 */

export interface Camera {
  center: [number, number];
  zoom: number;
}

const ZOOM_DECIMALS = 2;
// Five decimals of a degree are about a metre: finer adds nothing a user can see.
const DEGREE_DECIMALS = 5;

export function readCamera(params: URLSearchParams): Camera | undefined {
  const zoom = Number(params.get('z'));
  const [lon, lat] = (params.get('c') ?? '').split(',').map(Number);
  if (!params.has('z') || !Number.isFinite(zoom) || zoom < 0 || zoom > 24) return undefined;
  if (!Number.isFinite(lon) || !Number.isFinite(lat) || Math.abs(lon!) > 180 || Math.abs(lat!) > 85) return undefined;
  return { center: [lon!, lat!], zoom };
}

export function cameraParams(camera: Camera): { z: string; c: string } {
  const [lon, lat] = camera.center;
  return { z: camera.zoom.toFixed(ZOOM_DECIMALS), c: `${lon.toFixed(DEGREE_DECIMALS)},${lat.toFixed(DEGREE_DECIMALS)}` };
}

/** Equal as written in the URL: a map already there needs no jump. */
export function sameCamera(a: Camera, b: Camera): boolean {
  const left = cameraParams(a);
  const right = cameraParams(b);
  return left.z === right.z && left.c === right.c;
}

export interface Padding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** MapLibre's world is 512 pixels wide at zoom 0 (its tiles' size). */
const WORLD_SIZE = 512;
/** MapLibre's deepest zoom (a fit never goes further). */
const MAX_ZOOM = 22;

/** Web Mercator x and y of a longitude and latitude, 0 … 1 over the world. */
const mercatorX = (lon: number) => (lon + 180) / 360;
const mercatorY = (lat: number) => {
  const sin = Math.sin((lat * Math.PI) / 180);
  return 0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI);
};

/**
 * The zoom MapLibre's fitBounds gives a box in a frame of this size with this padding (no
 * bearing or pitch), without a map: a page can ask for what that zoom shows while the map loads.
 */
export function fitZoom(box: readonly [number, number, number, number], frame: { width: number; height: number }, padding: Padding): number | undefined {
  const [west, south, east, north] = box;
  const width = (mercatorX(east) - mercatorX(west)) * WORLD_SIZE;
  const height = (mercatorY(south) - mercatorY(north)) * WORLD_SIZE;
  const availableWidth = frame.width - padding.left - padding.right;
  const availableHeight = frame.height - padding.top - padding.bottom;
  if (availableWidth <= 0 || availableHeight <= 0) return undefined;
  const scale = Math.min(width > 0 ? availableWidth / width : Infinity, height > 0 ? availableHeight / height : Infinity);
  return Number.isFinite(scale) ? Math.min(Math.log2(scale), MAX_ZOOM) : MAX_ZOOM;
}
