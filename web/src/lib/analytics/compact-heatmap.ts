import { api } from '../api/client.ts';
import type { AreaLevel, CellOrder, Heatmap, HeatmapCell, HeatmapMetric, HeatmapQuery, HeatmapValues } from '../api/types.ts';

/**
 * Area heatmaps the compact way (issue 18): each level's cells (codes and names) travel once per
 * data version, and a heatmap carries one value per cell in that order (shape=values). The answer
 * is read back as the `Heatmap` the legend, ranking and tooltip already take; its cells carry no
 * figures (the tooltip asks for the hovered cell's: hoveredCellFigures) and no area (areaKm2 0).
 */

/** The cell orders seen this visit, one per level; a values answer naming another order refreshes it. */
const cellOrders = new Map<AreaLevel, Promise<CellOrder>>();

/** The level's cells as this visit knows them, asked for once (not tied to one map's signal: the next map shares them). */
function knownCells(level: AreaLevel, refresh = false): Promise<CellOrder> {
  const known = cellOrders.get(level);
  if (known && !refresh) return known;
  const loading = api.heatmapCells(level);
  cellOrders.set(level, loading);
  loading.catch(() => cellOrders.delete(level));
  return loading;
}

/** A level's cells by code and name (streets, communities and grids drawn from tiles are named by these). */
export async function cellNames(level: AreaLevel): Promise<{ code: string; name: string | null }[]> {
  const { codes, names } = await knownCells(level);
  return codes.map((code, index) => ({ code, name: names[index] ?? null }));
}

/** The cells in the order a values answer names: the known ones, or asked again (the data changed). */
async function cellsInOrder(level: AreaLevel, order: string, known: Promise<CellOrder>): Promise<CellOrder> {
  const cells = await known;
  return cells.order === order ? cells : knownCells(level, true);
}

function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new DOMException('The heatmap was no longer wanted', 'AbortError'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The values answer over its cell order, as a `Heatmap` (cells without figures). */
export function heatmapOfValues(answer: HeatmapValues, cells: CellOrder): Heatmap {
  if (answer.order !== cells.order || cells.codes.length !== answer.values.length) {
    throw new Error(`heatmap values follow cell order ${answer.order}, the cells loaded are ${cells.order}`);
  }
  const withheld = new Set(answer.suppressed);
  const { values, suppressed: _suppressed, order: _order, dataVersion: _dataVersion, ...legend } = answer;
  const rows: HeatmapCell[] = cells.codes.map((code, index) => {
    const cell: HeatmapCell = { code, name: cells.names[index] ?? null, areaKm2: 0, value: values[index] ?? null };
    if (withheld.has(index)) cell.suppressed = true;
    return cell;
  });
  return { ...legend, cells: rows };
}

/** An area level's heatmap: a values request, and the level's cells when this visit has not got their order yet. */
export async function areaHeatmap(metric: HeatmapMetric, query: HeatmapQuery & { level: AreaLevel }, signal?: AbortSignal): Promise<Heatmap> {
  // The first map of a level asks for its cells alongside the values, not after them.
  const known = knownCells(query.level);
  const answer = await api.heatmapValues(metric, query, signal);
  return heatmapOfValues(answer, await abortable(cellsInOrder(query.level, answer.order, known), signal));
}

/**
 * One cell's figures and area, as the full heatmap gives them, for the tooltip: the cells answer
 * of the same query inside the cell's own extent (a handful of cells, not the city).
 */
export async function hoveredCellFigures(
  metric: HeatmapMetric,
  query: HeatmapQuery,
  code: string,
  extent: readonly [number, number, number, number],
  signal?: AbortSignal,
): Promise<HeatmapCell | undefined> {
  const { breaksFrom: _breaks, ...asked } = query;
  const around = await api.heatmap(metric, { ...asked, bbox: extent.join(',') }, signal);
  return around.cells.find((cell) => cell.code === code);
}
