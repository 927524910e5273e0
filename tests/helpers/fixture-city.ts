import { sql, type Kysely } from 'kysely';
import { hashPassword } from '../../server/auth/passwords.ts';
import type { DB, Role } from '../../server/db/schema.ts';
import { noteShapesWritten } from '../../server/db/data-version.ts';
import { writeCounted, writeUnitsOf } from './hand-edits.ts';
import { streetCodeOf } from '../../server/domain/codes.ts';

/**
 * A hand-made city small enough to count by hand:
 * district 440307 → street 440307001 → community 440307001001 → grids …01 (west) and …02 (east),
 * each grid a 0.01° square. Grid 01 holds building 00001 (3 floors × 2 units) and 00002
 * (1 floor, 1 shop); grid 02 holds building 00001 (2 floors × 1 unit).
 */
export const FIXTURE = {
  district: '440307',
  street: '440307001',
  community: '440307001001',
  gridWest: '44030700100101',
  gridEast: '44030700100102',
  westHouse: '4403070010010100001',
  westShop: '4403070010010100002',
  eastHouse: '4403070010010200001',
  password: 'fixture-password-1',
} as const;

const square = (minLon: number, minLat: number, size: number) =>
  `MULTIPOLYGON(((${minLon} ${minLat},${minLon + size} ${minLat},${minLon + size} ${minLat + size},${minLon} ${minLat + size},${minLon} ${minLat})))`;

const WEST = square(114.2, 22.7, 0.01);
const EAST = square(114.21, 22.7, 0.01);
const BOTH = `MULTIPOLYGON(((114.2 22.7,114.22 22.7,114.22 22.71,114.2 22.71,114.2 22.7)))`;

export async function insertFixtureCity(db: Kysely<DB>): Promise<void> {
  const areas: [string, string, string | null, string, string][] = [
    [FIXTURE.district, 'district', null, '测试区', BOTH],
    [FIXTURE.street, 'street', FIXTURE.district, '测试街道', BOTH],
    [FIXTURE.community, 'community', FIXTURE.street, '测试社区', BOTH],
  ];
  for (const [code, level, parent, name, wkt] of areas) {
    await sql`INSERT INTO admin_areas (code, level, parent_code, name, geom)
              VALUES (${code}, ${level}, ${parent}, ${name}, ST_GeomFromText(${wkt}, 4326))`.execute(db);
  }
  for (const [code, name, wkt] of [
    [FIXTURE.gridWest, '西网格', WEST],
    [FIXTURE.gridEast, '东网格', EAST],
  ] as const) {
    await sql`INSERT INTO grids (code, community_code, name, geom, area_km2)
              VALUES (${code}, ${FIXTURE.community}, ${name}, ST_GeomFromText(${wkt}, 4326),
                      ST_Area(ST_GeomFromText(${wkt}, 4326)::geography) / 1e6)`.execute(db);
  }
  await noteShapesWritten(db); // the shapes carry no trigger (sql/0044)
  await insertBuilding(db, FIXTURE.westHouse, 'urban_village', 3, [114.203, 22.703]);
  await insertBuilding(db, FIXTURE.westShop, 'shop_house', 1, [114.207, 22.707]);
  await insertBuilding(db, FIXTURE.eastHouse, 'residential', 2, [114.215, 22.705]);
  for (const floor of [1, 2, 3]) {
    for (const room of [1, 2]) await insertUnit(db, FIXTURE.westHouse, floor, room, 'rented');
  }
  await insertUnit(db, FIXTURE.westShop, 1, 1, 'shop');
  for (const floor of [1, 2]) await insertUnit(db, FIXTURE.eastHouse, floor, 1, 'self_occupied');
}

async function insertBuilding(db: Kysely<DB>, code: string, use: DB['buildings']['use'], floors: number, [lon, lat]: [number, number]) {
  const half = 0.0002;
  const footprint = `POLYGON((${lon - half} ${lat - half},${lon + half} ${lat - half},${lon + half} ${lat + half},${lon - half} ${lat + half},${lon - half} ${lat - half}))`;
  await writeCounted(db, 'buildings', [code], (trx) =>
    sql`INSERT INTO buildings (code, street_code, grid_code, address, floors, use, management_mode, point, footprint)
            VALUES (${code}, left(${code}, 9), ${code.slice(0, 14)}, ${`测试路${Number(code.slice(14))}号`}, ${floors}, ${use}, 'patrol',
                    ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326), ST_GeomFromText(${footprint}, 4326))`.execute(trx),
  );
}

export function fixtureUnitCode(buildingCode: string, floor: number, room: number): string {
  return buildingCode + String(floor * 100 + room).padStart(6, '0');
}

async function insertUnit(db: Kysely<DB>, buildingCode: string, floor: number, room: number, use: DB['units']['use']) {
  await writeUnitsOf(db, [buildingCode], (trx) =>
    trx
      .insertInto('units')
      .values({
        code: fixtureUnitCode(buildingCode, floor, room),
        building_code: buildingCode,
        street_code: streetCodeOf(buildingCode),
        floor,
        room: `${floor}${String(room).padStart(2, '0')}`,
        area_m2: 30,
        use,
        rental_registered: use === 'rented',
        landlord_name: null,
      })
      .execute(),
  );
}

/** Users per role; collectors and police can be bounded to a jurisdiction. */
export async function insertUser(db: Kysely<DB>, username: string, role: Role, jurisdiction: string[] = [FIXTURE.district]) {
  await db
    .insertInto('users')
    .values({ username, display_name: username, role, jurisdiction, password_hash: await hashPassword(FIXTURE.password), collector_id: null })
    .execute();
}
