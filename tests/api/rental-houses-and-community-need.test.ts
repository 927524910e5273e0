import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../../server/db/schema.ts';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { insertResidents } from '../helpers/collectors-fixture.ts';
import { FIXTURE, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';
import { importAndWait, importer, utf8Csv } from '../helpers/import-files.ts';
import { editShapesByHand, writeCounted, writeUnitsOf } from '../helpers/hand-edits.ts';

/**
 * Issue 15 items 1 and 2, on the fixture city plus two communities of street 001 (counted by hand):
 *   T  440307001005  grids 01, 02, 03 with 300, 250 and 180 floating people (730) and no rentals.
 *      Rounded up per grid it needed 1 + 1 + 1 = 3; per community ceil(730/500) = 2, and a
 *      community under 1000 floating people needs exactly 1.
 *   H  440307001006  one grid, 1200 floating people; building 1 has 20 rooms, all let; building 2
 *      has a unit let to 3 households (分租) and a self-occupied one. Rental houses 20 + 3 = 23 in
 *      2 rental buildings, 21 let units, 22 units (dwellings 20 + 3 + 1 = 24).
 */
const T = { community: '440307001005', grids: ['44030700100501', '44030700100502', '44030700100503'] };
const H = { community: '440307001006', grid: '44030700100601' };
const H_BUILDING_ROOMS = `${H.grid}00001`;
const H_BUILDING_SHARED = `${H.grid}00002`;
const SHARED_UNIT = `${H_BUILDING_SHARED}000101`;

let t: TestApp;
let planner: LoggedIn;

/** A 0.01° square in a row north of the fixture city (no overlap with its grids). */
const square = (column: number) => {
  const [west, east] = [(114.3 + column * 0.01).toFixed(2), (114.31 + column * 0.01).toFixed(2)];
  return `MULTIPOLYGON(((${west} 22.8,${east} 22.8,${east} 22.81,${west} 22.81,${west} 22.8)))`;
};
const centre = (column: number) => [114.305 + column * 0.01, 22.805] as const;

async function insertCommunityWithGrids(db: Kysely<DB>, community: string, grids: string[], firstColumn: number) {
  await editShapesByHand(
    db,
    sql`INSERT INTO admin_areas (code, level, parent_code, name, geom)
            VALUES (${community}, 'community', ${FIXTURE.street}, ${`社区${community.slice(-3)}`}, ST_GeomFromText(${square(firstColumn)}, 4326))`,
  );
  for (const [index, grid] of grids.entries()) {
    await editShapesByHand(
      db,
      sql`INSERT INTO grids (code, community_code, name, geom, area_km2)
              VALUES (${grid}, ${community}, ${`网格${grid.slice(-2)}`}, ST_GeomFromText(${square(firstColumn + index)}, 4326), 1.1)`,
    );
  }
}

async function insertBuilding(db: Kysely<DB>, code: string, column: number) {
  const [lon, lat] = centre(column);
  await writeCounted(db, 'buildings', [code], (trx) =>
    sql`INSERT INTO buildings (code, street_code, grid_code, address, floors, use, management_mode, status, point)
            VALUES (${code}, left(${code}, 9), ${code.slice(0, 14)}, ${`测试路${code.slice(-3)}号`}, 6, 'urban_village', 'patrol', 'active',
                    ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326))`.execute(trx),
  );
}

/** `count` units numbered from room 101 on floor 1, with a use and households let. */
async function insertUnits(db: Kysely<DB>, building: string, first: number, count: number, use: 'rented' | 'self_occupied', letHouseholds = 1) {
  await writeUnitsOf(db, [building], (trx) =>
    sql`INSERT INTO units (code, street_code, building_code, floor, room, use, let_households)
        SELECT ${building} || lpad((100 + n)::text, 6, '0'), left(${building}, 9), ${building}, 1, (100 + n)::text, ${use}, ${letHouseholds}
        FROM generate_series(${first}::int, ${first + count - 1}::int) n`.execute(trx),
  );
}

beforeAll(async () => {
  t = await startTestApp();
  const db = t.handle.db;
  await insertFixtureCity(db);
  await insertCommunityWithGrids(db, T.community, T.grids, 0);
  for (const [index, grid] of T.grids.entries()) {
    await insertBuilding(db, `${grid}00001`, index);
    await insertUnits(db, `${grid}00001`, 1, 1, 'self_occupied');
    await insertResidents(db, `${grid}00001000101`, [300, 250, 180][index]!);
  }
  await insertCommunityWithGrids(db, H.community, [H.grid], 4);
  await insertBuilding(db, H_BUILDING_ROOMS, 4);
  await insertUnits(db, H_BUILDING_ROOMS, 1, 20, 'rented');
  await insertBuilding(db, H_BUILDING_SHARED, 4);
  await insertUnits(db, H_BUILDING_SHARED, 1, 1, 'rented', 3);
  await insertUnits(db, H_BUILDING_SHARED, 2, 1, 'self_occupied');
  await insertResidents(db, `${H_BUILDING_ROOMS}000101`, 1200);
  for (const role of ['planner', 'leader', 'admin'] as const) await insertUser(db, role, role);
  planner = await t.logIn('planner');
});
afterAll(async () => t?.close());

const byCode = <Row extends { code: string }>(rows: Row[]) => Object.fromEntries(rows.map((row) => [row.code, row]));

describe('collector need per community, not rounded up per grid', () => {
  it('a community with 730 floating people over 3 grids needs 1, not 3; its grids share it by largest remainder', async () => {
    const { body } = await planner.get(`/api/collectors/allocation?within=${T.community}&level=grid&sort=code`).expect(200);
    // Shares of 1 by floating people: 300/730 = 0.411, 250/730 = 0.342, 180/730 = 0.247 → floors 0; the one to the largest remainder.
    expect(body.rows.map((row: { code: string; floating: number; need: number }) => [row.code, row.floating, row.need])).toEqual([
      [T.grids[0], 300, 1],
      [T.grids[1], 250, 0],
      [T.grids[2], 180, 0],
    ]);
    expect(body.totals).toMatchObject({ floating: 730, need: 1 });
    expect(body.communities).toHaveLength(1);
    expect(body.communities[0]).toMatchObject({
      code: T.community,
      grids: 3,
      floating: 730,
      ratios: [
        { rule: 'floating', count: 730, perCollector: 500, quotient: 1.46, need: 2 },
        { rule: 'rental', count: 0, need: 0 },
      ],
      ratioNeed: 2,
      smallCommunity: { isSmallCommunity: true, kind: 'exactly', minimum: 1, applied: true },
      need: 1,
      decidedBy: 'community_minimum',
      apportionment: {
        basis: 'floating',
        total: 730,
        leftAfterFloors: 1,
        shares: [
          { code: T.grids[0], count: 300, quota: 0.411, floor: 0, remainder: 0.411, extra: 1, need: 1 },
          { code: T.grids[1], count: 250, quota: 0.3425, floor: 0, remainder: 0.3425, extra: 0, need: 0 },
          { code: T.grids[2], count: 180, quota: 0.2466, floor: 0, remainder: 0.2466, extra: 0, need: 0 },
        ],
      },
    });
  });

  it('without the small-community rule: ceil(730/500) = 2 over the community (not 3), shared 0.82 / 0.68 / 0.49 → 1, 1, 0', async () => {
    const { body } = await planner.get(`/api/collectors/allocation?within=${T.community}&smallCommunityFloatingBelow=0&sort=code`).expect(200);
    expect(body.rows.map((row: { need: number }) => row.need)).toEqual([1, 1, 0]);
    expect(body.rows.map((row: { steps: { quota: number; floor: number; extra: number } }) => [row.steps.quota, row.steps.floor, row.steps.extra])).toEqual([
      [0.8219, 0, 1],
      [0.6849, 0, 1],
      [0.4932, 0, 0],
    ]);
  });

  it('a grid asked for alone gets its share of the whole community', async () => {
    const alone = await planner.get(`/api/collectors/allocation?within=${T.grids[1]}&smallCommunityFloatingBelow=0`).expect(200);
    expect(alone.body.rows).toHaveLength(1);
    expect(alone.body.rows[0]).toMatchObject({ code: T.grids[1], need: 1, steps: { communityNeed: 2, basisTotal: 730, count: 250 } });
  });

  it('population mode (600:1) applies its ratio to the whole community the same way', async () => {
    // Population = the 730 floating people: ceil(730/600) = 2; shares 0.82 / 0.68 / 0.49 → 1, 1, 0.
    const { body } = await planner.get(`/api/collectors/allocation?within=${T.community}&mode=population&level=community`).expect(200);
    expect(body.rows[0]).toMatchObject({
      code: T.community,
      need: 2,
      communitySteps: {
        ratios: [{ rule: 'population', count: 730, perCollector: 600, quotient: 1.2167, need: 2 }],
        need: 2,
        decidedBy: 'population',
        apportionment: { basis: 'population' },
      },
    });
    const grids = (await planner.get(`/api/collectors/allocation?within=${T.community}&mode=population&sort=code`).expect(200)).body.rows;
    expect(grids.map((row: { need: number }) => row.need)).toEqual([1, 1, 0]);
  });

  it('streets and the district are sums of their communities', async () => {
    const communities = (await planner.get(`/api/collectors/allocation?within=${FIXTURE.street}&level=community&sort=code`).expect(200)).body.rows;
    const street = (await planner.get(`/api/collectors/allocation?within=${FIXTURE.street}&level=street`).expect(200)).body.rows[0];
    const district = (await planner.get(`/api/collectors/allocation?within=${FIXTURE.district}&level=district`).expect(200)).body.rows[0];
    const sum = communities.reduce((total: number, row: { need: number }) => total + row.need, 0);
    // Fixture community 001001 (no floating people): exactly 1; T: 1; H (1200 floating, not small): max(ceil(1200/500) = 3, ceil(23/50) = 1) = 3.
    expect(communities.map((row: { code: string; need: number }) => [row.code, row.need])).toEqual([
      [FIXTURE.community, 1],
      [T.community, 1],
      [H.community, 3],
    ]);
    expect([street.need, district.need]).toEqual([sum, sum]);
  });
});

describe('a rental house is a let dwelling, not a building', () => {
  it('the 50:1 rule counts 20 let rooms as 20 rental houses and a unit let to 3 households as 3, with 2 rental buildings beside them', async () => {
    const { body } = await planner.get(`/api/collectors/allocation?within=${H.grid}`).expect(200);
    expect(body.rows[0]).toMatchObject({ floating: 1200, rentalHouses: 23, rentalBuildings: 2 });
    // 10 rental houses per collector: ceil(23/10) = 3 (counting buildings it would have been ceil(2/10) = 1); floating ceil(1200/5000) = 1.
    const whatIf = await planner
      .get(`/api/collectors/allocation?within=${H.community}&level=community&rentalHousesPerCollector=10&floatingPerCollector=5000`)
      .expect(200);
    expect(whatIf.body.rows[0].communitySteps).toMatchObject({
      rentalHouses: 23,
      rentalBuildings: 2,
      ratios: [
        { rule: 'floating', need: 1 },
        { rule: 'rental', count: 23, perCollector: 10, quotient: 2.3, need: 3 },
      ],
      need: 3,
      decidedBy: 'rental',
      apportionment: { basis: 'rental', total: 23 },
    });
  });

  it('the rental heatmap counts rental houses, with let units and rental buildings as their own figures', async () => {
    const response = await planner.get('/api/heatmaps/rental_units').expect(200);
    const cell = byCode(response.body.cells as { code: string; value: number; figures: Record<string, number> }[])[H.grid]!;
    expect(cell).toMatchObject({ value: 23, figures: { rentalHouses: 23, rentedUnits: 21, rentalBuildings: 2, units: 22 } });
    expect(response.body.unit).toBe('户');
  });

  it('the rental share KPI (出租房屋占比) is let dwellings ÷ dwellings, the let units and buildings beside it', async () => {
    const response = await planner.get(`/api/kpis?area=${H.community}`).expect(200);
    const share = (response.body.kpis as { key: string }[]).find((kpi) => kpi.key === 'rented_unit_share');
    // Dwellings: 22 units, the one let to 3 households counting 3 → 24; let: 23.
    expect(share).toMatchObject({ numerator: 23, denominator: 24, value: 95.83, beside: { rentedUnits: 21, rentalBuildings: 2 } });
  });

  it('the grid export has rental houses, let units and rental buildings as columns of their own', async () => {
    const response = await planner.get(`/api/exports/grids?format=geojson&area=${H.community}`).expect(200);
    const collection = JSON.parse(Buffer.isBuffer(response.body) ? response.body.toString('utf8') : response.text);
    const grid = collection.features.find((feature: { properties: { code: string } }) => feature.properties.code === H.grid);
    expect(grid.properties).toMatchObject({ rental_houses: 23, rented_units: 21, rental_buildings: 2 });
  });

  it('follows writes: a unit let to more households, a let room turned vacant, a building demolished (maintained = direct count)', async () => {
    const db = t.handle.db;
    const rentalHouses = async () =>
      (await planner.get(`/api/collectors/allocation?within=${H.grid}`).expect(200)).body.rows[0] as { rentalHouses: number; rentalBuildings: number };
    await writeUnitsOf(db, [SHARED_UNIT.slice(0, 19)], (trx) => trx.updateTable('units').set({ let_households: 5 }).where('code', '=', SHARED_UNIT).execute());
    expect(await rentalHouses()).toMatchObject({ rentalHouses: 25, rentalBuildings: 2 });
    await writeUnitsOf(db, [H_BUILDING_ROOMS], (trx) =>
      trx.updateTable('units').set({ use: 'vacant' }).where('code', '=', `${H_BUILDING_ROOMS}000101`).execute(),
    );
    expect(await rentalHouses()).toMatchObject({ rentalHouses: 24, rentalBuildings: 2 });
    await writeCounted(db, 'buildings', [H_BUILDING_SHARED], (trx) =>
      trx.updateTable('buildings').set({ status: 'demolished' }).where('code', '=', H_BUILDING_SHARED).execute(),
    );
    expect(await rentalHouses()).toMatchObject({ rentalHouses: 19, rentalBuildings: 1 });
    await writeCounted(db, 'buildings', [H_BUILDING_SHARED], (trx) =>
      trx.updateTable('buildings').set({ status: 'active' }).where('code', '=', H_BUILDING_SHARED).execute(),
    );
    await writeUnitsOf(db, [H_BUILDING_ROOMS], (trx) =>
      trx.updateTable('units').set({ use: 'rented' }).where('code', '=', `${H_BUILDING_ROOMS}000101`).execute(),
    );
    await writeUnitsOf(db, [SHARED_UNIT.slice(0, 19)], (trx) => trx.updateTable('units').set({ let_households: 3 }).where('code', '=', SHARED_UNIT).execute());
    const maintained = await sql<{ grid_code: string; rental_houses: number }>`SELECT grid_code, rental_houses FROM grid_unit_stats ORDER BY grid_code`.execute(
      db,
    );
    const direct = await sql<{ grid_code: string; rental_houses: number }>`
      SELECT b.grid_code, coalesce(sum(u.let_households) FILTER (WHERE u.use = 'rented'), 0)::int AS rental_houses
      FROM buildings b LEFT JOIN units u ON u.building_code = b.code WHERE b.status = 'active' GROUP BY 1 ORDER BY 1`.execute(db);
    expect(maintained.rows).toEqual(direct.rows);
    expect(maintained.rows.find((row) => row.grid_code === H.grid)!.rental_houses).toBe(23);
  });

  it('refuses more than one let household on a unit that is not rented, and outside 1–50', async () => {
    await expect(
      sql`INSERT INTO units (code, street_code, building_code, floor, room, use, let_households)
      VALUES (${`${H_BUILDING_SHARED}000199`}, left(${H_BUILDING_SHARED}, 9), ${H_BUILDING_SHARED}, 1, '199', 'rented', 0)`.execute(t.handle.db),
    ).rejects.toThrow(/let_households_range/);
    const admin = await importer(t, 'admin');
    const headers = ['房屋编码', '所在楼层', '房号', '房屋用途', '分租户数'];
    const { job, errors } = await importAndWait(
      admin,
      { kind: 'units', crs: 'wgs84', filename: 'units.csv' },
      utf8Csv([headers, [`${H_BUILDING_SHARED}000201`, 2, '201', '自住', 2], [`${H_BUILDING_SHARED}000202`, 2, '202', '出租', 0]]),
    );
    expect(job).toMatchObject({ status: 'failed', errorCount: 2 });
    expect(errors.map(({ row, field, reason }) => [row, field, reason])).toEqual([
      [2, '分租户数', 'only a rented unit (出租) can be let to several households (分租)'],
      [3, '分租户数', 'must be a whole number of households from 1 to 50'],
    ]);
  });

  it('imports a unit let to several households (分租户数) and counts each household', async () => {
    const admin = await importer(t, 'admin');
    const { job } = await importAndWait(
      admin,
      { kind: 'units', crs: 'wgs84', filename: 'units.csv' },
      utf8Csv([
        ['房屋编码', '所在楼层', '房号', '房屋用途', '分租户数'],
        [`${H_BUILDING_SHARED}000301`, 3, '301', '出租', 4],
        [`${H_BUILDING_SHARED}000302`, 3, '302', '出租', ''],
      ]),
    );
    expect(job).toMatchObject({ status: 'done', rowsImported: 2 });
    const row = (await planner.get(`/api/collectors/allocation?within=${H.grid}`).expect(200)).body.rows[0];
    expect(row).toMatchObject({ rentalHouses: 23 + 4 + 1, rentalBuildings: 2 });
  });
});
