import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { factsWritten, lockFacts } from '../../server/db/counted-writes.ts';
import type { DB, PersonCategory } from '../../server/db/schema.ts';
import { addDays } from '../../server/domain/calendar.ts';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { ANALYTICS, insertAnalyticsCity, insertPermit, insertPerson, insertStay } from '../helpers/analytics-fixture.ts';
import { FIXTURE, fixtureUnitCode, insertUser } from '../helpers/fixture-city.ts';
import { writeCases, writeCounted, writeUnitsOf } from '../helpers/hand-edits.ts';
import { byGrid, directPopulation, directPopulationAndOccupancy, summedPopulationChanges, type PopulationCounts } from '../helpers/population-counts.ts';
import { streetCodeOf } from '../../server/domain/codes.ts';

/**
 * The maintained grid statistics against two references after a random sequence of writes
 * through every path the triggers must catch (single rows, multi-row statements, transactions,
 * deletes, category changes, permits, cases, unit use, buildings):
 * 1. a from-scratch recomputation (refresh_grid_stats) gives exactly the same tables;
 * 2. the API's figures equal direct SQL counts over the base tables, written here.
 */
let t: TestApp;
let db: Kysely<DB>;
let planner: LoggedIn;
let today: string;

const SEED = 5_2026;
const ROUNDS = 4;
const WRITES_PER_ROUND = 40;

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
/** A day from before the kept window (2024-01-01) up to a couple of days after today. */
const randomDay = () => addDays('2023-06-01', between(0, 1300));

async function ids(query: ReturnType<typeof sql<{ id: number }>>): Promise<number[]> {
  return (await query.execute(db)).rows.map((row) => row.id);
}

/** How often each kind of write is drawn: building changes recount whole grids, so they stay rare enough not to mask a missed unit update. */
const WEIGHTS: Record<string, number> = {
  moveIn: 3,
  moveOut: 2,
  moveWithinCity: 2,
  registerLater: 1,
  shiftWholeGrid: 1,
  noOpUpdates: 1,
  deleteStay: 1,
  changeCategory: 1,
  changeManyCategories: 1,
  issuePermit: 2,
  revokeOrDeletePermit: 1,
  addCase: 2,
  changeOrDeleteCase: 1,
  addUnit: 1,
  changeUnitUse: 2,
  changeBuilding: 1,
};
let addedUnits = 0;

const WRITE_KINDS: Record<string, () => Promise<void>> = {
  async moveIn() {
    const category = pick<PersonCategory>(['registered', 'lodging', 'floating', 'floating', 'overseas']);
    const personId = await insertPerson(db, category, 'random');
    const movedIn = randomDay();
    const unit = pick(await unitCodes());
    await insertStay(db, personId, { unit, movedIn, registeredAt: addDays(movedIn, between(0, 20)) });
  },
  async moveOut() {
    const open = await ids(sql<{ id: number }>`SELECT id FROM residencies WHERE moved_out IS NULL ORDER BY id`);
    if (open.length === 0) return;
    const stay = pick(open);
    await writeCounted(db, 'residencies', [stay], (trx) =>
      sql`UPDATE residencies SET moved_out = moved_in + ${between(0, 400)}::int WHERE id = ${stay}`.execute(trx),
    );
  },
  async moveWithinCity() {
    const open = (
      await sql<{
        id: number;
        person_id: number;
        moved_in: string;
      }>`SELECT id, person_id, moved_in FROM residencies WHERE moved_out IS NULL ORDER BY id`.execute(db)
    ).rows;
    if (open.length === 0) return;
    const stay = pick(open);
    const day = addDays(stay.moved_in, between(0, 300));
    const unit = pick(await unitCodes());
    await db.transaction().execute(async (trx) => {
      const before = await lockFacts(trx, 'residencies', [stay.id]);
      await trx.updateTable('residencies').set({ moved_out: day, deregistered_at: day }).where('id', '=', stay.id).execute();
      const opened = await trx
        .insertInto('residencies')
        .values({
          person_id: stay.person_id,
          unit_code: unit,
          street_code: streetCodeOf(unit),
          moved_in: day,
          registered_at: addDays(day, between(0, 10)),
          moved_out: null,
          deregistered_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await factsWritten(trx, 'residencies', before, [stay.id, opened.id]);
    });
  },
  async registerLater() {
    const all = await ids(sql<{ id: number }>`SELECT id FROM residencies ORDER BY id`);
    const stay = pick(all);
    await writeCounted(db, 'residencies', [stay], (trx) =>
      sql`UPDATE residencies SET registered_at = moved_in + ${between(0, 60)}::int WHERE id = ${stay}`.execute(trx),
    );
  },
  async shiftWholeGrid() {
    // One statement, many rows, some of the same person.
    const grid = pick([FIXTURE.gridWest, FIXTURE.gridEast, ANALYTICS.northGrid]);
    const stays = await ids(sql<{ id: number }>`SELECT id FROM residencies WHERE left(unit_code, 14) = ${grid} ORDER BY id`);
    await writeCounted(db, 'residencies', stays, (trx) =>
      sql`UPDATE residencies SET moved_in = moved_in - 3, registered_at = registered_at - 2 WHERE id = ANY (${stays}::bigint[])`.execute(trx),
    );
  },
  async noOpUpdates() {
    const firstStays = await ids(sql<{ id: number }>`SELECT id FROM residencies ORDER BY id LIMIT 5`);
    await writeCounted(db, 'residencies', firstStays, (trx) =>
      sql`UPDATE residencies SET deregistered_at = deregistered_at WHERE id = ANY (${firstStays}::bigint[])`.execute(trx),
    );
    const firstPermits = await ids(sql<{ id: number }>`SELECT id FROM permits ORDER BY id LIMIT 3`);
    await writeCounted(db, 'permits', firstPermits, (trx) => sql`UPDATE permits SET years = years WHERE id = ANY (${firstPermits}::bigint[])`.execute(trx));
    const firstPeople = await ids(sql<{ id: number }>`SELECT id FROM persons ORDER BY id LIMIT 3`);
    await writeCounted(db, 'persons', firstPeople, (trx) => sql`UPDATE persons SET employer = 'x' WHERE id = ANY (${firstPeople}::bigint[])`.execute(trx));
  },
  async deleteStay() {
    const all = await ids(sql<{ id: number }>`SELECT id FROM residencies ORDER BY id`);
    if (all.length <= 10) return;
    const stay = pick(all);
    await writeCounted(db, 'residencies', [stay], (trx) => sql`DELETE FROM residencies WHERE id = ${stay}`.execute(trx));
  },
  async changeCategory() {
    const people = await ids(sql<{ id: number }>`SELECT id FROM persons WHERE id_type = 'id_card' ORDER BY id`);
    const person = pick(people);
    await writeCounted(db, 'persons', [person], (trx) =>
      trx
        .updateTable('persons')
        .set({ category: pick(['registered', 'lodging', 'floating'] as const) })
        .where('id', '=', person)
        .execute(),
    );
  },
  async changeManyCategories() {
    const people = await ids(sql<{ id: number }>`SELECT id FROM persons WHERE id_type = 'id_card' AND id % ${between(2, 5)}::int = 0 ORDER BY id`);
    await writeCounted(db, 'persons', people, (trx) =>
      sql`UPDATE persons SET category = CASE category WHEN 'floating' THEN 'lodging' WHEN 'lodging' THEN 'floating' ELSE category END
          WHERE id = ANY (${people}::bigint[])`.execute(trx),
    );
  },
  async issuePermit() {
    // To floating people with a stay, issued around it, so that most permits move the figures.
    const stays = (
      await sql<{ person_id: number; moved_in: string }>`
      SELECT r.person_id, r.moved_in FROM residencies r JOIN persons p ON p.id = r.person_id WHERE p.category = 'floating' ORDER BY r.id`.execute(db)
    ).rows;
    if (stays.length === 0) return;
    const stay = pick(stays);
    const issued = addDays(stay.moved_in, between(-100, 300));
    const years = between(1, 3);
    await insertPermit(db, stay.person_id, { issued, expires: addDays(issued, 365 * years - 1) }, `R-${issued}-${between(0, 1e9)}`);
  },
  async revokeOrDeletePermit() {
    const permits = await ids(sql<{ id: number }>`SELECT id FROM permits ORDER BY id`);
    if (permits.length === 0) return;
    const revoke = random() < 0.5;
    const permit = pick(permits);
    if (revoke)
      await writeCounted(db, 'permits', [permit], (trx) =>
        sql`UPDATE permits SET status = 'revoked', revoked_on = issued_on + ${between(0, 500)}::int WHERE id = ${permit}`.execute(trx),
      );
    else await writeCounted(db, 'permits', [permit], (trx) => sql`DELETE FROM permits WHERE id = ${permit}`.execute(trx));
  },
  async addCase() {
    const building = pick([FIXTURE.westHouse, FIXTURE.westShop, FIXTURE.eastHouse, ANALYTICS.northHouse]);
    const units = (await unitCodes()).filter((code) => code.startsWith(building));
    const where = pick(['unit', 'building', 'grid', 'nothing'] as const);
    await writeCases(
      db,
      sql`INSERT INTO cases (case_no, kind, category, occurred_at, point, grid_code, building_code, unit_code)
          VALUES (${`R${between(0, 1e9)}`}, ${pick(['criminal', 'public_order'])}, ${pick(['theft', 'fight', 'fraud'])},
                  ${`${randomDay()}T${String(between(0, 23)).padStart(2, '0')}:30:00Z`}::timestamptz, ST_SetSRID(ST_MakePoint(114.21, 22.705), 4326),
                  ${where === 'grid' || (where === 'unit' && random() < 0.5) ? building.slice(0, 14) : null},
                  ${where === 'unit' || where === 'building' ? building : null}, ${where === 'unit' ? pick(units) : null})
          RETURNING case_grid(grid_code, building_code) AS grid`,
    );
  },
  async changeOrDeleteCase() {
    const movable = await ids(sql<{ id: number }>`SELECT id FROM cases WHERE building_code IS NULL ORDER BY id`);
    const cases = await ids(sql<{ id: number }>`SELECT id FROM cases ORDER BY id`);
    if (random() < 0.5 && movable.length > 0) {
      // The case's grid before and after: both are recounted.
      await writeCases(
        db,
        sql`WITH old AS (SELECT id, case_grid(grid_code, building_code) AS grid FROM cases WHERE id = ${pick(movable)}),
                 changed AS (UPDATE cases AS c SET grid_code = ${pick([FIXTURE.gridWest, FIXTURE.gridEast, ANALYTICS.northGrid])},
                                                   kind = ${pick(['criminal', 'public_order'])}
                             FROM old WHERE c.id = old.id
                             RETURNING old.grid AS before, case_grid(c.grid_code, c.building_code) AS after)
            SELECT before AS grid FROM changed UNION ALL SELECT after FROM changed`,
      );
    } else if (cases.length > 3) {
      await writeCases(db, sql`DELETE FROM cases WHERE id = ${pick(cases)} RETURNING case_grid(grid_code, building_code) AS grid`);
    }
  },
  async addUnit() {
    const building = pick([FIXTURE.westHouse, FIXTURE.eastHouse, ANALYTICS.northHouse]);
    addedUnits += 1;
    await writeUnitsOf(db, [building], (trx) =>
      trx
        .insertInto('units')
        .values({
          code: fixtureUnitCode(building, 9, addedUnits),
          building_code: building,
          street_code: streetCodeOf(building),
          floor: 9,
          room: `9${addedUnits}`,
          area_m2: 25,
          use: pick(['rented', 'vacant'] as const),
          rental_registered: random() < 0.5,
          landlord_name: null,
          let_households: between(1, 4),
        })
        .execute(),
    );
  },
  async changeUnitUse() {
    // Households let (分租) change too: a unit let to several counts as several rental houses.
    const unit = pick(await unitCodes());
    await writeUnitsOf(db, [unit.slice(0, 19)], (trx) =>
      sql`UPDATE units SET use = ${pick(['rented', 'self_occupied', 'vacant'])}, rental_registered = ${random() < 0.5},
          let_households = ${between(1, 4)} WHERE code = ${unit}`.execute(trx),
    );
  },
  async changeBuilding() {
    const building = pick([FIXTURE.westHouse, FIXTURE.eastHouse, ANALYTICS.northHouse]);
    await writeCounted(db, 'buildings', [building], (trx) =>
      sql`UPDATE buildings SET responsibility_letter_signed = NOT responsibility_letter_signed,
              status = ${random() < 0.2 ? 'demolished' : 'active'} WHERE code = ${building}`.execute(trx),
    );
  },
};

async function unitCodes(): Promise<string[]> {
  return (await db.selectFrom('units').select('code').orderBy('code').execute()).map((row) => row.code);
}

async function tableRows(query: string): Promise<unknown[]> {
  return (await sql.raw(query).execute(db)).rows;
}

const POPULATION = 'registered, lodging, floating, overseas, floating_registered, floating_permitted, occupied_units';
const MAINTAINED_TABLES = {
  changes: `SELECT grid_code, day, ${POPULATION} FROM grid_population_changes ORDER BY grid_code, day`,
  daily: `SELECT day, grid_code, ${POPULATION} FROM grid_population_daily
          WHERE (${POPULATION}) <> (0, 0, 0, 0, 0, 0, 0) ORDER BY day, grid_code`,
  cases: 'SELECT * FROM grid_case_daily ORDER BY day, grid_code, kind, category',
  units: 'SELECT * FROM grid_unit_stats ORDER BY grid_code',
};

const DIRECT_CASE_DAYS = `
  SELECT (c.occurred_at AT TIME ZONE 'Asia/Shanghai')::date AS day, coalesce(c.grid_code, left(c.building_code, 14)) AS grid_code, c.kind, c.category,
         count(*)::int AS cases,
         count(*) FILTER (WHERE CASE WHEN c.unit_code IS NOT NULL THEN EXISTS (SELECT 1 FROM units u WHERE u.code = c.unit_code AND u.use = 'rented')
                                     ELSE EXISTS (SELECT 1 FROM units u WHERE u.building_code = c.building_code AND u.use = 'rented') END)::int AS in_rental
  FROM cases AS c WHERE coalesce(c.grid_code, c.building_code) IS NOT NULL
  GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`;
const DIRECT_UNIT_STATS = `
  SELECT b.grid_code, count(DISTINCT b.code)::int AS buildings, count(u.code)::int AS units,
         count(u.code) FILTER (WHERE u.use = 'rented')::int AS rented_units,
         count(u.code) FILTER (WHERE u.use = 'rented' AND u.rental_registered)::int AS registered_rental_units,
         coalesce(sum(u.let_households) FILTER (WHERE u.use = 'rented'), 0)::int AS rental_houses,
         count(DISTINCT b.code) FILTER (WHERE u.use = 'rented')::int AS rental_buildings,
         count(DISTINCT b.code) FILTER (WHERE u.use = 'rented' AND b.responsibility_letter_signed)::int AS signed_rental_buildings
  FROM buildings AS b LEFT JOIN units AS u ON u.building_code = b.code
  WHERE b.status = 'active' GROUP BY 1 ORDER BY 1`;

beforeAll(async () => {
  t = await startTestApp();
  db = t.handle.db;
  await insertAnalyticsCity(db);
  await insertUser(db, 'planner', 'planner');
  planner = await t.logIn('planner');
  today = (await sql<{ today: string }>`SELECT city_today() AS today`.execute(db)).rows[0]!.today;
});
afterAll(async () => t?.close());

async function randomWrites(count: number): Promise<string[]> {
  const draws = Object.entries(WEIGHTS).flatMap(([kind, weight]) => Array<string>(weight).fill(kind));
  const done: string[] = [];
  for (let write = 0; write < count; write += 1) {
    const kind = pick(draws);
    await WRITE_KINDS[kind]!();
    done.push(kind);
    await expectTablesLikeDirectCounts(`after write ${done.length} (${kind})`);
  }
  return done;
}

/**
 * Checked after every write, so that a later write recounting the same grid cannot hide a
 * missed one: the maintained tables against direct counts, in SQL.
 */
async function expectTablesLikeDirectCounts(when: string): Promise<void> {
  for (const day of ['2023-12-31', '2025-06-01', today]) {
    const kept = await sql<PopulationCounts & { grid: string }>`
      SELECT grid_code AS grid, registered, lodging, floating, overseas, floating_registered AS "floatingRegistered", floating_permitted AS "floatingPermitted",
             occupied_units AS "occupiedUnits"
      FROM grid_population_daily WHERE day = ${day}::date AND (${sql.raw(POPULATION)}) <> (0, 0, 0, 0, 0, 0, 0) ORDER BY 1`.execute(db);
    const direct = await directPopulationAndOccupancy(db, day);
    expect(await summedPopulationChanges(db, day), `changes summed to ${day}, ${when}`).toEqual(direct);
    if (day >= ANALYTICS.historyFrom) expect(byGrid(kept.rows), `daily row of ${day}, ${when}`).toEqual(direct);
  }
  expect(await tableRows(MAINTAINED_TABLES.cases), `cases, ${when}`).toEqual(await tableRows(DIRECT_CASE_DAYS));
  expect(await tableRows(MAINTAINED_TABLES.units), `units, ${when}`).toEqual(await tableRows(DIRECT_UNIT_STATS));
}

async function expectPopulationLikeDirectCounts(): Promise<void> {
  const days = ['2023-12-31', ANALYTICS.historyFrom, '2024-06-30', '2025-02-28', '2025-06-01', addDays(today, -1), today, randomDay(), randomDay()].filter(
    (day) => day <= today,
  );
  for (const day of days) expect(await populationFromApi(day), `population on ${day}`).toEqual(await directPopulation(db, day));
}

async function expectCasesAndUnitsLikeDirectCounts(): Promise<void> {
  for (const [from, to] of [
    ['2023-06-01', '2027-01-01'],
    ['2025-01-01', '2025-03-31'],
    ['2024-07-14', '2024-07-14'],
  ] as const) {
    const response = await planner.get(`/api/heatmaps/cases?from=${from}&to=${to}`).expect(200);
    const shown = Object.fromEntries(
      (response.body.cells as { code: string; figures: { cases: number; inRental: number } }[])
        .filter((cell) => cell.figures.cases > 0)
        .map((cell) => [cell.code, [cell.figures.cases, cell.figures.inRental]]),
    );
    expect(shown, `cases ${from}…${to}`).toEqual(await directCases(from, to));
  }
  const units = await planner.get('/api/heatmaps/rental_units').expect(200);
  const shown = Object.fromEntries(
    (units.body.cells as { code: string; value: number; figures: { rentedUnits: number } }[])
      .filter((cell) => cell.value > 0)
      .map((cell) => [cell.code, [cell.value, cell.figures.rentedUnits]]),
  );
  expect(shown, 'rental houses and rented units').toEqual(await directRentedUnits());
}

/** Destructive: afterwards the tables hold the recomputation (equal, when the test passes). */
async function expectMaintainedLikeRecomputed(): Promise<void> {
  const maintained = Object.fromEntries(await Promise.all(Object.entries(MAINTAINED_TABLES).map(async ([name, query]) => [name, await tableRows(query)])));
  await sql`SELECT refresh_grid_stats(${ANALYTICS.historyFrom}::date)`.execute(db);
  for (const [name, query] of Object.entries(MAINTAINED_TABLES)) expect(await tableRows(query), name).toEqual(maintained[name]);
}

describe('maintained statistics after random writes', () => {
  for (let round = 1; round <= ROUNDS; round += 1) {
    it(`round ${round}: ${WRITES_PER_ROUND} writes leave every figure equal to direct counts and to a full recomputation`, async () => {
      const kinds = await randomWrites(WRITES_PER_ROUND);
      expect(new Set(kinds).size).toBeGreaterThan(8);
      await expectPopulationLikeDirectCounts();
      await expectCasesAndUnitsLikeDirectCounts();
      await expectMaintainedLikeRecomputed();
    });
  }

  it('carries the kept days forward when the calendar has moved on, including changes made meanwhile', async () => {
    // As if the last read was five days ago: the daily rows stop there, the changes go on.
    const lastRead = addDays(today, -5);
    await sql`DELETE FROM grid_population_daily WHERE day > ${lastRead}::date`.execute(db);
    await sql`UPDATE grid_population_window SET last_day = ${lastRead}::date`.execute(db);
    const personId = await insertPerson(db, 'floating', 'late arrival');
    await insertStay(db, personId, { unit: fixtureUnitCode(FIXTURE.eastHouse, 2, 1), movedIn: addDays(today, -2), registeredAt: addDays(today, -1) });
    for (const day of [addDays(today, -3), addDays(today, -2), today]) {
      expect(await populationFromApi(day), `population on ${day}`).toEqual(await directPopulation(db, day));
    }
    const window = (await sql<{ last_day: string }>`SELECT last_day FROM grid_population_window`.execute(db)).rows[0]!;
    expect(window.last_day).toBe(today);
    await expectMaintainedLikeRecomputed();
  });

  it("takes a building's occupied units out on every day when it stops being active, and back when it is active again", async () => {
    const occupiedIn = async (grid: string) =>
      (
        await sql<{
          occupied: number;
        }>`SELECT occupied_units AS occupied FROM grid_population_daily WHERE day = ${today}::date AND grid_code = ${grid}`.execute(db)
      ).rows[0]?.occupied ?? 0;
    await writeCounted(db, 'buildings', [FIXTURE.eastHouse], (trx) =>
      sql`UPDATE buildings SET status = 'active' WHERE code = ${FIXTURE.eastHouse}`.execute(trx),
    );
    const before = await occupiedIn(FIXTURE.gridEast);
    expect(before, 'the east house has people living there today').toBeGreaterThan(0);
    for (const status of ['demolished', 'active']) {
      await writeCounted(db, 'buildings', [FIXTURE.eastHouse], (trx) =>
        sql`UPDATE buildings SET status = ${status} WHERE code = ${FIXTURE.eastHouse}`.execute(trx),
      );
      await expectTablesLikeDirectCounts(`east house ${status}`);
    }
    expect(await occupiedIn(FIXTURE.gridEast)).toBe(before);
    await expectMaintainedLikeRecomputed();
  });

  it('bins the same people into hexagons as into grids', async () => {
    const day = '2025-06-01';
    const hex = await planner.get(`/api/heatmaps/population?level=hex&resolution=8&asOf=${day}&bbox=114.19,22.69,114.23,22.73`).expect(200);
    const hexTotal = (hex.body.cells as { value: number }[]).reduce((sum, cell) => sum + cell.value, 0);
    const direct = await directPopulation(db, day);
    const gridTotal = Object.values(direct).reduce((sum, counts) => sum + counts.registered + counts.lodging + counts.floating + counts.overseas, 0);
    expect(hexTotal).toBe(gridTotal);
  });
});

async function populationFromApi(day: string): Promise<Record<string, PopulationCounts>> {
  type Cell = { code: string; value: number; figures: Record<string, number> };
  const read = async (url: string) => (await planner.get(`${url}&asOf=${day}`).expect(200)).body.cells as Cell[];
  const counts: Record<string, PopulationCounts> = {};
  const cellOf = (code: string) => (counts[code] ??= { registered: 0, lodging: 0, floating: 0, overseas: 0, floatingRegistered: 0, floatingPermitted: 0 });
  for (const category of ['registered', 'lodging', 'overseas'] as const) {
    for (const cell of await read(`/api/heatmaps/population?category=${category}`)) cellOf(cell.code)[category] = cell.value;
  }
  for (const cell of await read('/api/heatmaps/registration_rate?'))
    Object.assign(cellOf(cell.code), { floating: cell.figures.found, floatingRegistered: cell.figures.registered });
  for (const cell of await read('/api/heatmaps/permit_rate?')) cellOf(cell.code).floatingPermitted = cell.figures.holding!;
  // Grids where nobody lived that day are absent from the direct count.
  return Object.fromEntries(Object.entries(counts).filter(([, figures]) => Object.values(figures).some((value) => value !== 0)));
}

async function directCases(from: string, to: string): Promise<Record<string, [number, number]>> {
  const result = await sql<{ grid: string; cases: number; in_rental: number }>`
    SELECT coalesce(c.grid_code, left(c.building_code, 14)) AS grid, count(*)::int AS cases,
           count(*) FILTER (WHERE CASE WHEN c.unit_code IS NOT NULL THEN EXISTS (SELECT 1 FROM units u WHERE u.code = c.unit_code AND u.use = 'rented')
                                       ELSE EXISTS (SELECT 1 FROM units u WHERE u.building_code = c.building_code AND u.use = 'rented') END)::int AS in_rental
    FROM cases AS c
    WHERE (c.occurred_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN ${from}::date AND ${to}::date
      AND coalesce(c.grid_code, c.building_code) IS NOT NULL
    GROUP BY 1`.execute(db);
  return Object.fromEntries(result.rows.map((row) => [row.grid, [row.cases, row.in_rental]]));
}

/** Per grid: [rental houses (each household of a unit let to several counts), rented units]. */
async function directRentedUnits(): Promise<Record<string, [number, number]>> {
  const result = await sql<{ grid: string; houses: number; rented: number }>`
    SELECT b.grid_code AS grid, sum(u.let_households)::int AS houses, count(*)::int AS rented FROM units AS u JOIN buildings AS b ON b.code = u.building_code
    WHERE u.use = 'rented' AND b.status = 'active' GROUP BY 1`.execute(db);
  return Object.fromEntries(result.rows.map((row) => [row.grid, [row.houses, row.rented]]));
}
