import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { caseDaysOfGrids, type CasePeriod } from './repository.ts';

/**
 * Cases per grid and day, kept in memory per data version (issue 21: hot spots of any period,
 * and emerging hot spots over 36 months, at Shenzhen scale). Summing grid_case_daily for a period
 * costs the database 0.2–1 s over 20,000 grids and 36 months of it 2–4 s; here the sum of any
 * period for every grid is two binary searches per grid over cumulative counts.
 *
 * Layout (861k (grid, day) rows at Shenzhen scale, ≈ 17 MiB): rows sorted by grid (in the map's
 * grid order) then day; `firstRow[g] … firstRow[g + 1]` are grid g's rows; `cumulative[c][i]` is
 * the sum of column c over rows 0 … i − 1, so a run of rows sums as one subtraction.
 *
 * Columns are kept per case kind (cases.kind is 'criminal' or 'public_order': the CHECK in
 * sql/0001_core.sql), so the all-kinds figures and a kind filter both come out exactly as the
 * SQL of casesInPeriod gives them. A category filter is not kept: such a request goes to SQL.
 */
const KEPT = ['criminal', 'public_order', 'in_rental_criminal', 'in_rental_public_order'] as const;

export interface CaseDays {
  firstRow: Int32Array;
  /** Days since 1970-01-01 of each row. */
  days: Int32Array;
  cumulative: Record<(typeof KEPT)[number], Int32Array>;
}

const DAY_MS = 86_400_000;
export const dayNumber = (date: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;

/** Reads every grid's daily case counts, in the order of `grids` (code → position); grids not listed are skipped. */
export async function loadCaseDays(db: Kysely<DB>, grids: Map<string, number>): Promise<CaseDays> {
  const gridRows = await caseDaysOfGrids(db);
  const byPosition: ((typeof gridRows)[number] | undefined)[] = new Array(grids.size);
  let rows = 0;
  for (const row of gridRows) {
    const position = grids.get(row.grid_code);
    if (position === undefined) continue; // not a grid of the map
    byPosition[position] = row;
    rows += row.days.length;
  }
  const firstRow = new Int32Array(grids.size + 1);
  const days = new Int32Array(rows);
  const cumulative = Object.fromEntries(KEPT.map((column) => [column, new Int32Array(rows + 1)])) as CaseDays['cumulative'];
  let next = 0;
  for (let grid = 0; grid < grids.size; grid += 1) {
    firstRow[grid] = next;
    const row = byPosition[grid];
    for (let index = 0; row && index < row.days.length; index += 1, next += 1) {
      days[next] = Number(row.days[index]);
      for (const column of KEPT) cumulative[column][next + 1] = cumulative[column][next]! + Number(row[column][index]);
    }
  }
  firstRow[grids.size] = next;
  return { firstRow, days, cumulative };
}

/** The first row in [low, high) whose day is ≥ `day` (high when none). */
function firstRowFrom(days: Int32Array, low: number, high: number, day: number): number {
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (days[middle]! < day) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Whether a period can be answered from the kept days (no category filter). */
export const keepsPeriod = (period: CasePeriod) => period.category === undefined;

/**
 * The case figures (CASE_COLUMNS) of every grid for one period, column-major: `cases` of grid g at
 * [g], `criminal` at [grids + g], `public_order` at [2·grids + g], `in_rental` at [3·grids + g] —
 * what casesInPeriod sums for the same period and kind.
 */
export function casesOfPeriod(kept: CaseDays, period: CasePeriod): Int32Array {
  const grids = kept.firstRow.length - 1;
  const from = dayNumber(period.from);
  const to = dayNumber(period.to);
  const out = new Int32Array(4 * grids);
  const { criminal, public_order: publicOrder, in_rental_criminal: rentalCriminal, in_rental_public_order: rentalPublicOrder } = kept.cumulative;
  const withCriminal = period.kind !== 'public_order';
  const withPublicOrder = period.kind !== 'criminal';
  for (let grid = 0; grid < grids; grid += 1) {
    const start = kept.firstRow[grid]!;
    const end = kept.firstRow[grid + 1]!;
    if (start === end) continue;
    const low = firstRowFrom(kept.days, start, end, from);
    const high = firstRowFrom(kept.days, low, end, to + 1);
    if (low === high) continue;
    const criminalCases = withCriminal ? criminal[high]! - criminal[low]! : 0;
    const publicOrderCases = withPublicOrder ? publicOrder[high]! - publicOrder[low]! : 0;
    out[grid] = criminalCases + publicOrderCases;
    out[grids + grid] = criminalCases;
    out[2 * grids + grid] = publicOrderCases;
    out[3 * grids + grid] =
      (withCriminal ? rentalCriminal[high]! - rentalCriminal[low]! : 0) + (withPublicOrder ? rentalPublicOrder[high]! - rentalPublicOrder[low]! : 0);
  }
  return out;
}

/**
 * All cases (every kind) of every grid in each of `periods` (ascending, not overlapping, as the
 * months of emerging hot spots are): one pass over each grid's rows instead of a search per period.
 * `counts[k][g]` is grid g's cases in period k.
 */
export function casesOfPeriods(kept: CaseDays, periods: readonly CasePeriod[]): Int32Array[] {
  const grids = kept.firstRow.length - 1;
  const bounds = periods.map((period) => [dayNumber(period.from), dayNumber(period.to)] as const);
  const counts = periods.map(() => new Int32Array(grids));
  const { criminal, public_order: publicOrder } = kept.cumulative;
  for (let grid = 0; grid < grids; grid += 1) {
    let cursor = kept.firstRow[grid]!;
    const end = kept.firstRow[grid + 1]!;
    for (let k = 0; k < bounds.length && cursor < end; k += 1) {
      const low = firstRowFrom(kept.days, cursor, end, bounds[k]![0]);
      const high = firstRowFrom(kept.days, low, end, bounds[k]![1] + 1);
      counts[k]![grid] = criminal[high]! - criminal[low]! + publicOrder[high]! - publicOrder[low]!;
      cursor = high;
    }
  }
  return counts;
}

export const CASE_FIGURE_ORDER = ['cases', 'criminal', 'public_order', 'in_rental'] as const;

export const caseDaysBytes = (kept: CaseDays) =>
  kept.firstRow.byteLength + kept.days.byteLength + KEPT.reduce((total, column) => total + kept.cumulative[column].byteLength, 0);
