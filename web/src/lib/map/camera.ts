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
