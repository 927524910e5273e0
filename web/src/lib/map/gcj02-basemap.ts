/**
 * The browser half of GCJ-02 basemaps (BASEMAP_CRS=gcj02): loads the office's style, points its
 * raster sources at the renwu-gcj02:// protocol, and answers that protocol by fetching the
 * office's GCJ-02 tiles and drawing them shifted onto the WGS-84 tile (plan: gcj02-tiles.ts).
 */
import { addProtocol, type AddProtocolAction, type StyleSpecification } from 'maplibre-gl';
import { GCJ02_PROTOCOL, parseShiftedTileUrl, shiftPlan, sourceTileUrl } from './gcj02-tiles.ts';
import { absoluteTemplate, shiftGcj02Style } from './gcj02-style.ts';

async function fetchJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** Raster sources given by a TileJSON URL get its tiles (and zoom range) inline, as the shift needs them. */
async function inlineTileJson(style: StyleSpecification, styleUrl: string): Promise<StyleSpecification> {
  const sources = { ...style.sources };
  for (const [name, source] of Object.entries(sources)) {
    if (source.type !== 'raster' || source.tiles?.length || !source.url) continue;
    const tileJsonUrl = absoluteTemplate(source.url, styleUrl);
    const tileJson = await fetchJson<{ tiles?: string[]; minzoom?: number; maxzoom?: number; bounds?: [number, number, number, number] }>(tileJsonUrl);
    const tiles = (tileJson.tiles ?? []).map((template) => absoluteTemplate(template, tileJsonUrl));
    const { url: _url, ...rest } = source;
    sources[name] = { minzoom: tileJson.minzoom, maxzoom: tileJson.maxzoom, bounds: tileJson.bounds, ...rest, tiles };
  }
  return { ...style, sources };
}

/** A source tile, or undefined where the office has none (outside its coverage). */
async function fetchSourceTile(url: string, signal: AbortSignal): Promise<ImageBitmap | undefined> {
  const response = await fetch(url, { signal });
  if (response.status === 404 || response.status === 204) return undefined;
  if (!response.ok) throw new Error(`basemap tile ${url}: HTTP ${response.status}`);
  return createImageBitmap(await response.blob());
}

const drawShiftedTile: AddProtocolAction = async (request, abortController) => {
  const { tile, tileSize, scheme, template } = parseShiftedTileUrl(request.url);
  const plan = shiftPlan(tile, tileSize);
  const images = await Promise.all(plan.sources.map((source) => fetchSourceTile(sourceTileUrl(template, source, scheme), abortController.signal)));
  const canvas = new OffscreenCanvas(tileSize, tileSize);
  const context = canvas.getContext('2d')!;
  for (const draw of plan.draws) {
    const image = images[draw.source];
    if (!image) continue;
    // Office tiles of another pixel size are scaled, as MapLibre itself would draw them.
    const scale = image.width / tileSize;
    context.drawImage(image, draw.sx * scale, draw.sy * scale, draw.width * scale, draw.height * scale, draw.dx, draw.dy, draw.width, draw.height);
  }
  for (const image of images) image?.close();
  return { data: canvas.transferToImageBitmap() };
};

let registered = false;

/** The office's GCJ-02 style, ready to draw under WGS-84 data. */
export async function loadGcj02Style(styleUrl: string): Promise<StyleSpecification> {
  if (!registered) {
    addProtocol(GCJ02_PROTOCOL, drawShiftedTile);
    registered = true;
  }
  const style = await fetchJson<StyleSpecification>(styleUrl);
  return shiftGcj02Style(await inlineTileJson(style, styleUrl), styleUrl);
}
