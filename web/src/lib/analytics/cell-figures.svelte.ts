import type { Bbox, HeatmapCell, HeatmapMetric, HeatmapQuery } from '../api/types.ts';
import { hoveredCellFigures } from './compact-heatmap.ts';

/** Pointer moves across cells quickly: a cell's figures are asked for once it stays this long. */
const SETTLE_MS = 120;
const KEPT = 200;

/**
 * The hovered cell's figures and area for the tooltip: an area heatmap's values answer has none,
 * so they are asked for the one cell under the pointer (kept for the visit, per query and cell).
 */
export class CellFigures {
  #shown = $state.raw<{ key: string; cell: HeatmapCell } | undefined>();
  #wanted = $state<string | undefined>();
  #kept = new Map<string, HeatmapCell>();

  /** Asks for a cell's figures; returns the cleanup that cancels the question. */
  ask(metric: HeatmapMetric, query: HeatmapQuery, code: string, extent: Bbox | undefined): () => void {
    const key = JSON.stringify([metric, query, code]);
    this.#wanted = key;
    const kept = this.#kept.get(key);
    if (kept) {
      this.#shown = { key, cell: kept };
      return () => undefined;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      if (!extent) return;
      hoveredCellFigures(metric, query, code, extent, controller.signal).then(
        (cell) => {
          if (!cell) return;
          if (this.#kept.size >= KEPT) this.#kept.clear();
          this.#kept.set(key, cell);
          if (this.#wanted === key) this.#shown = { key, cell };
        },
        // A tooltip without figures still names the cell and gives its value: nothing more to say.
        () => undefined,
      );
    }, SETTLE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }

  /** The cell from the values answer, with its figures and area once they arrived (never for a withheld cell). */
  completed(cell: HeatmapCell): HeatmapCell {
    const shown = this.#shown;
    if (cell.suppressed || !shown || shown.key !== this.#wanted || shown.cell.code !== cell.code) return cell;
    return { ...cell, areaKm2: shown.cell.areaKm2, figures: shown.cell.figures };
  }
}
