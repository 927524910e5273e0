import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsSnapshotKey } from '../../server/db/data-version.ts';
import { openTestDatabase } from '../helpers/database.ts';
import { FIXTURE, fixtureUnitCode, insertFixtureCity } from '../helpers/fixture-city.ts';
import type { DatabaseHandle } from '../../server/db/connection.ts';
import { writeCases, writeUnitsOf } from '../helpers/hand-edits.ts';

/**
 * What an update of units does to the grid statistics (sql/0031_unit_stats_on_change.sql): it
 * recounts a grid's unit figures and cases only when it changed what they count. A departure
 * that empties a unit only flags it for a visit; recounting then rewrote the grid's statistics
 * rows for the same figures and moved the data version, so every kept answer of the city was
 * built again. Fixture city: the west house's 6 units are rented, the east house's 2 self-occupied.
 */
const EAST_UNIT = fixtureUnitCode(FIXTURE.eastHouse, 1, 1);
const WEST_UNIT = fixtureUnitCode(FIXTURE.westHouse, 1, 1);

let handle: DatabaseHandle;

beforeAll(async () => {
  handle = await openTestDatabase();
  await insertFixtureCity(handle.db);
  // A case in each house: whether it is "in rental" follows its unit's use.
  for (const [caseNo, unit, lon] of [
    ['C-EAST', EAST_UNIT, 114.215],
    ['C-WEST', WEST_UNIT, 114.203],
  ] as const) {
    await writeCases(
      handle.db,
      sql`INSERT INTO cases (case_no, kind, category, occurred_at, point, building_code, unit_code)
          VALUES (${caseNo}, 'public_order', '纠纷', now() - interval '2 days', ST_SetSRID(ST_MakePoint(${lon}, 22.705), 4326),
                  ${unit.slice(0, 19)}, ${unit})
          RETURNING case_grid(grid_code, building_code) AS grid`,
    );
  }
});
afterAll(async () => handle?.close());

/** An update of one unit as its writers make it (sql/0046): the recount compares its facts before and after. */
const updateUnit = (code: string, set: ReturnType<typeof sql>) =>
  writeUnitsOf(handle.db, [code.slice(0, 19)], (trx) => sql`UPDATE units SET ${set} WHERE code = ${code}`.execute(trx));

/** The grid's statistics rows as stored, with their row versions (xmin): a rewrite shows even when the figures are the same. */
async function statisticsRows(grid: string) {
  const units = await sql<{ version: string; rented_units: number; rental_houses: number }>`
    SELECT xmin::text AS version, rented_units, rental_houses FROM grid_unit_stats WHERE grid_code = ${grid}`.execute(handle.db);
  const cases = await sql<{ version: string; cases: number; in_rental: number }>`
    SELECT xmin::text AS version, cases, in_rental FROM grid_case_daily WHERE grid_code = ${grid}`.execute(handle.db);
  return { units: units.rows, cases: cases.rows };
}

const withoutVersions = ({ units, cases }: Awaited<ReturnType<typeof statisticsRows>>) => ({
  units: units.map(({ version: _version, ...figures }) => figures),
  cases: cases.map(({ version: _version, ...figures }) => figures),
});

describe('grid statistics after an update of units', () => {
  it('are left as they are, data version too, when a unit is flagged for a visit or found as it was', async () => {
    const before = { key: await analyticsSnapshotKey(handle.db), east: await statisticsRows(FIXTURE.gridEast) };
    await updateUnit(EAST_UNIT, sql`to_check = 'emptied', to_check_since = current_date`);
    await updateUnit(EAST_UNIT, sql`use = 'self_occupied', to_check = NULL, to_check_since = NULL`);
    expect(await statisticsRows(FIXTURE.gridEast)).toEqual(before.east);
    expect(await analyticsSnapshotKey(handle.db)).toBe(before.key);
  });

  it('count a unit let out, and its case as in rental, then taken back', async () => {
    const before = withoutVersions(await statisticsRows(FIXTURE.gridEast));
    expect(before).toEqual({ units: [{ rented_units: 0, rental_houses: 0 }], cases: [{ cases: 1, in_rental: 0 }] });
    const key = await analyticsSnapshotKey(handle.db);
    await updateUnit(EAST_UNIT, sql`use = 'rented'`);
    expect(withoutVersions(await statisticsRows(FIXTURE.gridEast))).toEqual({
      units: [{ rented_units: 1, rental_houses: 1 }],
      cases: [{ cases: 1, in_rental: 1 }],
    });
    expect(await analyticsSnapshotKey(handle.db)).not.toBe(key);
    await updateUnit(EAST_UNIT, sql`use = 'self_occupied'`);
    expect(withoutVersions(await statisticsRows(FIXTURE.gridEast))).toEqual(before);
  });

  it('recount the rental houses of a unit let to more households, leaving its cases', async () => {
    const before = await statisticsRows(FIXTURE.gridWest);
    expect(withoutVersions(before).units).toEqual([{ rented_units: 6, rental_houses: 6 }]);
    await updateUnit(WEST_UNIT, sql`let_households = 3`);
    const after = await statisticsRows(FIXTURE.gridWest);
    expect(withoutVersions(after).units).toEqual([{ rented_units: 6, rental_houses: 8 }]);
    expect(after.cases).toEqual(before.cases);
  });

  it('recount both grids when units of both change in one statement, and a rental no longer registered', async () => {
    await updateUnit(WEST_UNIT, sql`let_households = 1`);
    await writeUnitsOf(handle.db, [EAST_UNIT.slice(0, 19), WEST_UNIT.slice(0, 19)], (trx) =>
      sql`UPDATE units SET use = 'vacant', rental_registered = false WHERE code IN (${EAST_UNIT}, ${WEST_UNIT})`.execute(trx),
    );
    expect(withoutVersions(await statisticsRows(FIXTURE.gridWest))).toEqual({
      units: [{ rented_units: 5, rental_houses: 5 }],
      cases: [{ cases: 1, in_rental: 0 }],
    });
    expect(withoutVersions(await statisticsRows(FIXTURE.gridEast)).cases).toEqual([{ cases: 1, in_rental: 0 }]);
  });
});
