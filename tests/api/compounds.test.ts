import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPerson, insertStay } from '../helpers/analytics-fixture.ts';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { FIXTURE, fixtureUnitCode, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';
import { importAndWait, importer, utf8Csv, type Importer } from '../helpers/import-files.ts';
import { editShapesByHand, writeCounted, writeUnitsOf } from '../helpers/hand-edits.ts';
import { streetCodeOf } from '../../server/domain/codes.ts';

/**
 * Compounds (小区 / 院落, issue 15 item 6) over HTTP against the real database: imported all or
 * nothing with row-by-row errors, listed with totals that a plain SQL count reproduces, drilled
 * into (buildings → floors → units → occupants) with the building drill-down's masking and
 * audit, and bounded by the caller's jurisdiction.
 *
 * The fixture city plus a second community (…002) with one building of one unit. People:
 * 6 in the west house (4 in unit 101, 1 in 102, 1 in 201; one more moved out of 202),
 * 1 in the east house's unit 101, 2 in the other community's building.
 */
const OTHER_COMMUNITY = '440307001002';
const OTHER_GRID = `${OTHER_COMMUNITY}01`;
const OTHER_BUILDING = `${OTHER_GRID}00001`;
const WEST_COMPOUND = `${FIXTURE.community}-001`;
const SHOP_COMPOUND = `${FIXTURE.community}-002`;
const OTHER_COMPOUND = `${OTHER_COMMUNITY}-001`;
const HEADERS = ['院落编码', '院落名称', '楼栋编码'];
const PURPOSE = 'purpose=' + encodeURIComponent('院落核查');

let t: TestApp;
let admin: Importer;
const people: Record<string, LoggedIn> = {};

async function insertOtherCommunity(): Promise<void> {
  const square = 'MULTIPOLYGON(((114.22 22.7,114.23 22.7,114.23 22.71,114.22 22.71,114.22 22.7)))';
  await editShapesByHand(
    t.handle.db,
    sql`INSERT INTO admin_areas (code, level, parent_code, name, geom) VALUES (${OTHER_COMMUNITY}, 'community', ${FIXTURE.street}, '另一社区', ST_GeomFromText(${square}, 4326))`,
  );
  await editShapesByHand(
    t.handle.db,
    sql`INSERT INTO grids (code, community_code, name, geom, area_km2) VALUES (${OTHER_GRID}, ${OTHER_COMMUNITY}, '另一网格', ST_GeomFromText(${square}, 4326), 1)`,
  );
  await writeCounted(t.handle.db, 'buildings', [OTHER_BUILDING], (trx) =>
    sql`INSERT INTO buildings (code, street_code, grid_code, address, floors, use, management_mode, point)
            VALUES (${OTHER_BUILDING}, left(${OTHER_BUILDING}, 9), ${OTHER_GRID}, '另一路1号', 1, 'residential', 'patrol', ST_SetSRID(ST_MakePoint(114.225, 22.705), 4326))`.execute(
      trx,
    ),
  );
  await writeUnitsOf(t.handle.db, [OTHER_BUILDING], (trx) =>
    trx
      .insertInto('units')
      .values({
        code: fixtureUnitCode(OTHER_BUILDING, 1, 1),
        building_code: OTHER_BUILDING,
        street_code: streetCodeOf(OTHER_BUILDING),
        floor: 1,
        room: '101',
        area_m2: 40,
        use: 'rented',
        rental_registered: true,
        landlord_name: null,
      })
      .execute(),
  );
}

async function insertResidents(): Promise<void> {
  const live = async (unit: string, count: number, movedOut?: string) => {
    for (let index = 0; index < count; index += 1) {
      const id = await insertPerson(t.handle.db, 'floating', `住户${unit.slice(-4)}${index}`);
      await insertStay(t.handle.db, id, { unit, movedIn: '2024-01-01', registeredAt: '2024-01-02', ...(movedOut ? { movedOut } : {}) });
    }
  };
  await live(fixtureUnitCode(FIXTURE.westHouse, 1, 1), 4);
  await live(fixtureUnitCode(FIXTURE.westHouse, 1, 2), 1);
  await live(fixtureUnitCode(FIXTURE.westHouse, 2, 1), 1);
  await live(fixtureUnitCode(FIXTURE.westHouse, 2, 2), 1, '2024-06-01');
  await live(fixtureUnitCode(FIXTURE.eastHouse, 1, 1), 1);
  await live(fixtureUnitCode(OTHER_BUILDING, 1, 1), 2);
  // One let unit of the west house is let to three households (分租): three rental houses.
  await writeUnitsOf(t.handle.db, [FIXTURE.westHouse], (trx) =>
    trx
      .updateTable('units')
      .set({ let_households: 3 })
      .where('code', '=', fixtureUnitCode(FIXTURE.westHouse, 3, 1))
      .execute(),
  );
}

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_USER_PER_MINUTE: '100000', RATE_LIMIT_IP_PER_MINUTE: '100000' });
  await insertFixtureCity(t.handle.db);
  await insertOtherCommunity();
  await insertResidents();
  await insertUser(t.handle.db, 'admin', 'admin');
  await insertUser(t.handle.db, 'police', 'police');
  await insertUser(t.handle.db, 'leader', 'leader');
  await insertUser(t.handle.db, 'planner', 'planner');
  await insertUser(t.handle.db, 'collector_west', 'collector', [FIXTURE.gridWest]);
  await insertUser(t.handle.db, 'collector_east', 'collector', [FIXTURE.gridEast]);
  await insertUser(t.handle.db, 'police_other', 'police', [OTHER_COMMUNITY]);
  admin = await importer(t, 'admin');
  for (const name of ['police', 'leader', 'planner', 'collector_west', 'collector_east', 'police_other']) people[name] = await t.logIn(name);
});
afterAll(async () => t?.close());

const compoundCount = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM compounds`.execute(t.handle.db)).rows[0]!.n;
const membersOf = async (compound: string) =>
  (await t.handle.db.selectFrom('buildings').select('code').where('compound_code', '=', compound).orderBy('code').execute()).map((row) => row.code);

describe('compounds import', () => {
  it('refuses the whole file, naming each bad row and field: a building outside the community, an unknown building, a code on file or repeated', async () => {
    const { job, errors } = await importAndWait(
      admin,
      { kind: 'compounds', crs: 'wgs84', format: 'csv' },
      utf8Csv([
        HEADERS,
        [`${FIXTURE.community}-010`, '好院', FIXTURE.westHouse],
        [`${FIXTURE.community}-011`, '跨社区院', `${FIXTURE.eastHouse};${OTHER_BUILDING}`],
        [`${FIXTURE.community}-012`, '无楼院', `${FIXTURE.gridWest}00099`],
        [`${FIXTURE.community}-013`, '重复院', FIXTURE.westShop],
        [`${FIXTURE.community}-013`, '重复院', FIXTURE.westShop],
        ['4403070010-01', '坏编码', FIXTURE.westShop],
        [`${FIXTURE.community}-014`, '', FIXTURE.westShop],
      ]),
    );
    expect(job).toMatchObject({ status: 'failed', rowsImported: 0 });
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          row: 3,
          field: '楼栋编码',
          reason: `building ${OTHER_BUILDING} lies outside community ${FIXTURE.community}`,
          messageZh: `楼栋 ${OTHER_BUILDING} 不在小区所在社区 ${FIXTURE.community} 内`,
        }),
        expect.objectContaining({ row: 4, field: '楼栋编码', reason: `building ${FIXTURE.gridWest}00099 does not exist` }),
        expect.objectContaining({ row: 6, field: '院落编码', reason: 'repeats row 5' }),
        expect.objectContaining({ row: 7, field: '院落编码', reason: expect.stringContaining('community code') }),
        expect.objectContaining({ row: 8, field: '院落名称', reason: 'is required' }),
      ]),
    );
    expect(errors.filter((error) => error.row === 2)).toEqual([]);
    expect(await compoundCount()).toBe(0);
    expect(await membersOf(`${FIXTURE.community}-010`)).toEqual([]);
  });

  it('imports good compounds and groups their buildings; a code already on file is then refused', async () => {
    const good = await importAndWait(
      admin,
      { kind: 'compounds', crs: 'wgs84', format: 'csv' },
      utf8Csv([
        HEADERS,
        [WEST_COMPOUND, '西院', `${FIXTURE.westHouse}；${FIXTURE.eastHouse}`],
        [SHOP_COMPOUND, '商铺院', FIXTURE.westShop],
        [OTHER_COMPOUND, '另一院', OTHER_BUILDING],
      ]),
    );
    expect(good.job).toMatchObject({ status: 'done', rowsImported: 3, errorCount: 0 });
    expect(await membersOf(WEST_COMPOUND)).toEqual([FIXTURE.westHouse, FIXTURE.eastHouse].sort());
    const compound = await t.handle.db.selectFrom('compounds').select(['code', 'name', 'community_code']).where('code', '=', WEST_COMPOUND).executeTakeFirst();
    expect(compound).toEqual({ code: WEST_COMPOUND, name: '西院', community_code: FIXTURE.community });

    const again = await importAndWait(
      admin,
      { kind: 'compounds', crs: 'wgs84', format: 'csv' },
      utf8Csv([HEADERS, [WEST_COMPOUND, '西院', FIXTURE.westHouse], [`${FIXTURE.community}-020`, '抢楼院', FIXTURE.westShop]]),
    );
    expect(again.job).toMatchObject({ status: 'failed' });
    expect(again.errors).toEqual([
      expect.objectContaining({ row: 2, field: '院落编码', reason: 'a compound with this code is already on file', messageZh: '该编码的小区已在册' }),
      expect.objectContaining({ row: 3, field: '楼栋编码', reason: `building ${FIXTURE.westShop} already belongs to compound ${SHOP_COMPOUND}` }),
    ]);
  });

  it('refuses a building in another community in the database itself', async () => {
    await expect(sql`UPDATE buildings SET compound_code = ${WEST_COMPOUND} WHERE code = ${OTHER_BUILDING}`.execute(t.handle.db)).rejects.toThrow(
      /building_in_its_compound_community/,
    );
  });
});

/** The figures of one compound counted directly from the base tables, as the API must report them. */
async function plainCount(compound: string) {
  const result = await sql<{ buildings: number; units: number; occupied: number; let_units: number; rental_houses: number; residents: number }>`
    SELECT (SELECT count(*)::int FROM buildings WHERE compound_code = ${compound}) AS buildings,
           count(u.code)::int AS units,
           count(u.code) FILTER (WHERE EXISTS (SELECT 1 FROM residencies r WHERE r.unit_code = u.code AND r.moved_out IS NULL))::int AS occupied,
           count(u.code) FILTER (WHERE u.use = 'rented')::int AS let_units,
           coalesce(sum(u.let_households) FILTER (WHERE u.use = 'rented'), 0)::int AS rental_houses,
           (SELECT count(*)::int FROM residencies r JOIN units x ON x.code = r.unit_code JOIN buildings y ON y.code = x.building_code
             WHERE y.compound_code = ${compound} AND r.moved_out IS NULL) AS residents
    FROM units u JOIN buildings b ON b.code = u.building_code WHERE b.compound_code = ${compound}`.execute(t.handle.db);
  return result.rows[0]!;
}

describe('GET /api/compounds', () => {
  it('lists the compounds within an area with totals and the occupancy rate, as a plain count gives them', async () => {
    const response = await people.police!.get(`/api/compounds?within=${FIXTURE.community}`).expect(200);
    expect(response.body.compounds.map((row: { code: string }) => row.code)).toEqual([WEST_COMPOUND, SHOP_COMPOUND]);
    for (const row of response.body.compounds) {
      const counted = await plainCount(row.code);
      expect(row).toMatchObject({
        buildings: counted.buildings,
        units: counted.units,
        occupiedUnits: counted.occupied,
        letUnits: counted.let_units,
        rentalHouses: counted.rental_houses,
        residents: counted.residents,
        occupancyRate: Math.round((10000 * counted.occupied) / counted.units) / 100,
      });
    }
    // Hand count: 8 units (6 let, 2 self-occupied), 4 occupied, 8 rental houses (one let to three), 7 residents.
    expect(response.body.compounds[0]).toMatchObject({
      name: '西院',
      communityCode: FIXTURE.community,
      buildings: 2,
      units: 8,
      occupiedUnits: 4,
      letUnits: 6,
      rentalHouses: 8,
      residents: 7,
      occupancyRate: 50,
    });
    expect(response.body.compounds[1]).toMatchObject({ units: 1, occupiedUnits: 0, residents: 0, occupancyRate: 0 });
  });

  it('withholds a count of fewer than k residents from aggregate roles, not the units', async () => {
    await t.handle.db.updateTable('buildings').set({ compound_code: null }).where('code', '=', FIXTURE.westHouse).execute();
    try {
      const leader = await people.leader!.get(`/api/compounds?within=${FIXTURE.community}`).expect(200);
      expect(leader.body.compounds[0]).toMatchObject({ code: WEST_COMPOUND, units: 2, occupiedUnits: 1, residents: null, occupancyRate: 50 });
      const police = await people.police!.get(`/api/compounds?within=${FIXTURE.community}`).expect(200);
      expect(police.body.compounds[0]).toMatchObject({ code: WEST_COMPOUND, residents: 1 });
    } finally {
      await t.handle.db.updateTable('buildings').set({ compound_code: WEST_COMPOUND }).where('code', '=', FIXTURE.westHouse).execute();
    }
  });

  it('is bounded by the jurisdiction: 404 for an area outside it, a collector sees only its grid’s buildings of a compound', async () => {
    await people.police_other!.get(`/api/compounds?within=${FIXTURE.community}`).expect(404);
    const other = await people.police_other!.get('/api/compounds').expect(200);
    expect(other.body.compounds.map((row: { code: string }) => row.code)).toEqual([OTHER_COMPOUND]);
    const west = await people.collector_west!.get('/api/compounds').expect(200);
    expect(west.body.compounds.map((row: { code: string }) => row.code)).toEqual([WEST_COMPOUND, SHOP_COMPOUND]);
    expect(west.body.compounds[0]).toMatchObject({ buildings: 1, units: 6 });
    await people.police!.get('/api/compounds?within=44030').expect(400);
  });

  it('draws compound outlines as GeoJSON around their buildings, within the jurisdiction', async () => {
    const response = await people.leader!.get('/api/compounds.geojson').expect(200);
    const features = JSON.parse(response.text).features as { properties: { code: string; name: string; buildings: number }; geometry: { type: string } }[];
    expect(features.map((feature) => feature.properties.code).sort()).toEqual([WEST_COMPOUND, SHOP_COMPOUND, OTHER_COMPOUND].sort());
    expect(features.every((feature) => feature.geometry.type === 'Polygon' || feature.geometry.type === 'MultiPolygon')).toBe(true);
    const other = await people.police_other!.get('/api/compounds.geojson').expect(200);
    expect(JSON.parse(other.text).features.map((feature: { properties: { code: string } }) => feature.properties.code)).toEqual([OTHER_COMPOUND]);
  });
});

describe('GET /api/compounds/:code', () => {
  it('gives police buildings → floors → units → occupants with totals, and audits every person shown in one row', async () => {
    const before = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log`.execute(t.handle.db)).rows[0]!.n;
    const response = await people.police!.get(`/api/compounds/${WEST_COMPOUND}?${PURPOSE}`).expect(200);
    const body = response.body;
    expect(body.compound).toMatchObject({ code: WEST_COMPOUND, name: '西院', communityCode: FIXTURE.community });
    expect(body.totals).toMatchObject({ buildings: 2, units: 8, occupiedUnits: 4, residents: 7, letUnits: 6, rentalHouses: 8, occupancyRate: 50 });
    expect(body.buildings.map((building: { building: { code: string } }) => building.building.code)).toEqual([FIXTURE.westHouse, FIXTURE.eastHouse].sort());
    const west = body.buildings.find((building: { building: { code: string } }) => building.building.code === FIXTURE.westHouse);
    expect(west.totals).toMatchObject({ unitCount: 6, occupiedUnitCount: 3, occupantCount: 6 });
    const unit101 = west.floors[0].units[0];
    expect(unit101).toMatchObject({ code: fixtureUnitCode(FIXTURE.westHouse, 1, 1), occupantCount: 4 });
    expect(unit101.occupants[0].person.idNumber).toMatch(/^\d{17}[\dX]$/);
    expect(unit101.occupants[0].person.birthDate).toBe('1990-01-01');

    const rows = await t.handle.db.selectFrom('audit_log').select(['target_type', 'target_id', 'purpose', 'details']).where('id', '>', before).execute();
    const reads = rows.filter((row) => row.target_type === 'compound');
    expect(reads).toHaveLength(1);
    const shownIds = body.buildings.flatMap((building: { floors: { units: { occupants: { person: { id: number } }[] }[] }[] }) =>
      building.floors.flatMap((floor) => floor.units.flatMap((unit) => unit.occupants.map((occupant) => occupant.person.id))),
    );
    expect(shownIds).toHaveLength(7);
    expect(reads[0]).toMatchObject({ target_id: WEST_COMPOUND, purpose: '院落核查' });
    expect([...(reads[0]!.details as { personIds: number[] }).personIds].sort()).toEqual([...shownIds].sort());
    const shownNumbers = body.buildings.flatMap((building: { floors: { units: { occupants: { person: { idNumber: string } }[] }[] }[] }) =>
      building.floors.flatMap((floor) => floor.units.flatMap((unit) => unit.occupants.map((occupant) => occupant.person.idNumber))),
    );
    for (const number of shownNumbers) expect(JSON.stringify(reads[0]!.details)).not.toContain(number);
  });

  it('requires police and collectors to name a purpose', async () => {
    const response = await people.police!.get(`/api/compounds/${WEST_COMPOUND}`).expect(400);
    expect(JSON.stringify(response.body)).toContain('purpose');
  });

  it('masks ID numbers for a collector and shows only the buildings of its grid', async () => {
    const response = await people.collector_west!.get(`/api/compounds/${WEST_COMPOUND}?${PURPOSE}`).expect(200);
    expect(response.body.buildings.map((building: { building: { code: string } }) => building.building.code)).toEqual([FIXTURE.westHouse]);
    const person = response.body.buildings[0].floors[0].units[0].occupants[0].person;
    expect(person.idNumber).toMatch(/\*{8}/);
    expect(person).not.toHaveProperty('birthDate');
    await people.collector_east!.get(`/api/compounds/${SHOP_COMPOUND}?${PURPOSE}`).expect(404);
  });

  it('gives aggregate roles the plan without people, small counts withheld, and audits nothing', async () => {
    const before = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log WHERE target_type = 'compound'`.execute(t.handle.db)).rows[0]!.n;
    for (const role of ['leader', 'planner'] as const) {
      const response = await people[role]!.get(`/api/compounds/${WEST_COMPOUND}`).expect(200);
      const text = JSON.stringify(response.body);
      expect(text).not.toContain('occupants');
      expect(text).not.toContain('住户');
      expect(response.body.totals).toMatchObject({ units: 8, occupiedUnits: 4, residents: 7, occupancyRate: 50 });
      const west = response.body.buildings.find((building: { building: { code: string } }) => building.building.code === FIXTURE.westHouse);
      expect(west.floors[0]).toMatchObject({ unitCount: 2, occupiedUnitCount: 2, occupantCount: 5 });
      expect(west.floors[1]).toMatchObject({ occupiedUnitCount: 1, occupantCount: null });
      expect(west.floors[0].units[0]).toMatchObject({ occupied: true });
      expect(west.floors[0].units[0]).not.toHaveProperty('occupantCount');
    }
    expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log WHERE target_type = 'compound'`.execute(t.handle.db)).rows[0]!.n).toBe(before);
  });

  it('answers 404 outside the jurisdiction or for an unknown compound, 400 for a malformed code', async () => {
    await people.police_other!.get(`/api/compounds/${WEST_COMPOUND}?${PURPOSE}`).expect(404);
    await people.leader!.get(`/api/compounds/${FIXTURE.community}-099`).expect(404);
    const bad = await people.leader!.get('/api/compounds/44030700100101').expect(400);
    expect(JSON.stringify(bad.body)).toContain('code');
  });
});
