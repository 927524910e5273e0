import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Principal } from '../auth/session.ts';
import type { DB } from '../db/schema.ts';
import { analyticsSnapshotKey, shapeSnapshotKey } from '../db/data-version.ts';
import { isWithinJurisdiction } from '../domain/codes.ts';
import { visiblePrefixes } from '../http/jurisdiction.ts';
import { areaCellsOf, type AreaLevel } from './repository.ts';
import type { CellColumns, Heatmap } from './service.ts';

/**
 * The compact heatmap (issue 18): shapes and cell names travel once per data version, in a
 * stable cell order; a heatmap then carries one value per cell in that order. A whole-city grid
 * map is 20,000 short numbers instead of 20,000 objects with figures (2.35 MB of JSON).
 */

/** The orders named last: hashing 20,000 codes costs 2–4 ms an answer, comparing them to the last ones a tenth of it. */
const namedOrders: { level: AreaLevel; codes: readonly string[]; id: string }[] = [];
const NAMED_ORDERS_KEPT = 8;

const sameCodes = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((code, index) => code === b[index]);

/** Names one cell order: the same level and codes give the same id, any change another. */
export function cellOrderId(level: AreaLevel, codes: readonly string[]): string {
  // The same array (the heatmaps keep one per list of areas and jurisdiction) needs no comparison.
  const named = namedOrders.find((order) => order.level === level && (order.codes === codes || sameCodes(order.codes, codes)));
  if (named) return named.id;
  const id = hashedOrderId(level, codes);
  // Kept as given: callers pass codes they never change afterwards.
  namedOrders.unshift({ level, codes, id });
  namedOrders.length = Math.min(namedOrders.length, NAMED_ORDERS_KEPT);
  return id;
}

function hashedOrderId(level: AreaLevel, codes: readonly string[]): string {
  const hash = createHash('sha256').update(level);
  for (const code of codes) hash.update(`,${code}`);
  return `${level}-${codes.length}-${hash.digest('base64url').slice(0, 16)}`;
}

/** An opaque name of the data a kept answer was computed from (read in the answer's snapshot). */
export async function dataVersionOf(db: Kysely<DB>): Promise<string> {
  return createHash('sha256')
    .update(await analyticsSnapshotKey(db))
    .digest('base64url')
    .slice(0, 16);
}

export interface CellOrder {
  order: string;
  level: AreaLevel;
  /** The version of the grid and area shapes the order was read at (a boundary import moves it, a registration does not). */
  shapesVersion: string;
  codes: string[];
  names: (string | null)[];
}

/** The cells of `level` the caller may see (the heatmaps' own jurisdiction rule), in heatmap order. */
export async function cellOrder(db: Kysely<DB>, principal: Principal, level: AreaLevel): Promise<CellOrder> {
  const prefixes = visiblePrefixes(principal);
  const cells = (await areaCellsOf(db, level)).filter((cell) => prefixes === null || isWithinJurisdiction(cell.code, prefixes));
  const codes = cells.map((cell) => cell.code);
  return { order: cellOrderId(level, codes), level, shapesVersion: await shapeSnapshotKey(db), codes, names: cells.map((cell) => cell.name) };
}

export type CompactHeatmap = Omit<Heatmap, 'cells'> & {
  dataVersion: string;
  order: string;
  /** One per cell of the order: the value, or null (undefined for the cell, or withheld). */
  values: (number | null)[];
  /** Indexes (into the order) of the cells withheld from this caller (fewer than k people). */
  suppressed: number[];
};

export function compactHeatmap(head: Omit<Heatmap, 'cells'>, columns: CellColumns, dataVersion: string): CompactHeatmap {
  const values = new Array<number | null>(columns.values.length);
  const suppressed: number[] = [];
  columns.values.forEach((value, index) => {
    values[index] = Number.isNaN(value) ? null : value;
    if (columns.suppressed[index]) suppressed.push(index);
  });
  return { ...head, dataVersion, order: cellOrderId(head.level as AreaLevel, columns.codes), values, suppressed };
}
