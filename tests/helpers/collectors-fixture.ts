import { sql, type Kysely } from 'kysely';
import type { DB } from '../../server/db/schema.ts';
import { FIXTURE, fixtureUnitCode, insertFixtureCity } from './fixture-city.ts';
import { noteShapesWritten } from '../../server/db/data-version.ts';
import { insertCounted, writeCounted, writeUnitsOf } from './hand-edits.ts';
import { streetCodeOf } from '../../server/domain/codes.ts';

/**
 * The fixture city (tests/helpers/fixture-city.ts) plus enough people, rental houses and
 * collectors to check the 500:1 allocation by hand. Seven 0.01° squares in a row along
 * latitude 22.70, each sharing its east edge with the next:
 *
 *   W  440307001001 01  500 floating (150 work for 华星电子厂) + 101 registered; 1 rental house
 *   E  440307001001 02  nobody, no rentals
 *   B1 440307001002 01  501 floating (50 华星电子厂, 199 小店)
 *   B2 440307001002 02  nobody
 *   Z1 440307001003 01  nobody                    (community Z: no floating people at all)
 *   Z2 440307001003 02  nobody
 *   R1 440307002001 01  10 floating; 51 rental houses (50 with one rented unit, 1 with two),
 *                       plus a demolished building with a rented unit and one with none rented
 *
 * Full-time collectors: W 3, B2 1, R1 1; one inactive in B1 and one whose Z1 assignment ended
 * (neither counts). Part-time: one named by 华星电子厂, serving R1.
 * Three more floating people in W moved out (they do not count).
 */
export const CITY = {
  W: FIXTURE.gridWest,
  E: FIXTURE.gridEast,
  B1: '44030700100201',
  B2: '44030700100202',
  Z1: '44030700100301',
  Z2: '44030700100302',
  R1: '44030700200101',
  communityA: FIXTURE.community,
  communityB: '440307001002',
  communityZ: '440307001003',
  communityR: '440307002001',
  street1: FIXTURE.street,
  street2: '440307002',
  district: FIXTURE.district,
  employerX: '华星电子厂',
  employerSmall: '小店',
} as const;

// Exact decimals: 114.2 + 6 × 0.01 in floating point would overlap the next square by 1e-14°.
const square = (column: number) => {
  const west = (114.2 + column * 0.01).toFixed(2);
  const east = (114.21 + column * 0.01).toFixed(2);
  return `MULTIPOLYGON(((${west} 22.7,${east} 22.7,${east} 22.71,${west} 22.71,${west} 22.7)))`;
};

async function insertArea(db: Kysely<DB>, code: string, level: string, parent: string, name: string, wkt: string) {
  await sql`INSERT INTO admin_areas (code, level, parent_code, name, geom) VALUES (${code}, ${level}, ${parent}, ${name}, ST_GeomFromText(${wkt}, 4326))`.execute(
    db,
  );
}

async function insertGrid(db: Kysely<DB>, code: string, name: string, column: number) {
  await sql`INSERT INTO grids (code, community_code, name, geom, area_km2)
            VALUES (${code}, ${code.slice(0, 12)}, ${name}, ST_GeomFromText(${square(column)}, 4326), 1.1)`.execute(db);
}

/** Buildings numbered from `first` in a grid, each with `rented` rented units and `other` self-occupied ones. */
async function insertBuildings(db: Kysely<DB>, grid: string, first: number, count: number, rented: number, other: number, status = 'active') {
  const buildings = Array.from({ length: count }, (_, index) => `${grid}${String(first + index).padStart(5, '0')}`);
  await writeCounted(db, 'buildings', buildings, (trx) =>
    sql`
    INSERT INTO buildings (code, street_code, grid_code, address, floors, use, management_mode, status, point)
    SELECT ${grid} || lpad(n::text, 5, '0'), left(${grid}, 9), ${grid}, '测试路' || n || '号', 2, 'urban_village', 'patrol', ${status},
           ST_SetSRID(ST_MakePoint(114.265, 22.705), 4326)
    FROM generate_series(${first}::int, ${first + count - 1}::int) n`.execute(trx),
  );
  await writeUnitsOf(db, buildings, (trx) =>
    sql`
    INSERT INTO units (code, street_code, building_code, floor, room, use)
    SELECT ${grid} || lpad(n::text, 5, '0') || lpad((100 + r)::text, 6, '0'), left(${grid}, 9), ${grid} || lpad(n::text, 5, '0'), 1, (100 + r)::text,
           CASE WHEN r <= ${rented}::int THEN 'rented' ELSE 'self_occupied' END
    FROM generate_series(${first}::int, ${first + count - 1}::int) n, generate_series(1, ${rented + other}::int) r`.execute(trx),
  );
}

let nextPerson = 0;

/**
 * `count` people with valid ID numbers living in one unit since 2026-01-01 (moved out on
 * `movedOut` when given). The check character is computed in SQL the GB 11643 way.
 */
export async function insertResidents(
  db: Kysely<DB>,
  unitCode: string,
  count: number,
  options: { category?: 'floating' | 'registered'; employer?: string | null; movedOut?: string | null } = {},
): Promise<void> {
  const first = nextPerson;
  nextPerson += count;
  await insertCounted(db, 'residencies', async (trx) => {
    const stays = await sql<{ id: number }>`
    WITH numbers AS (
      SELECT n, '110105' || to_char(DATE '1960-01-01' + (n / 400), 'YYYYMMDD') || lpad(((n % 400) * 2 + 1)::text, 3, '0') AS first17
      FROM generate_series(${first}::int, ${first + count - 1}::int) n),
    people AS (
      INSERT INTO persons (id_type, id_number, name, sex, birth_date, category, employer)
      SELECT 'id_card',
             first17 || substr('10X98765432', (SELECT sum(substr(first17, i, 1)::int * (ARRAY[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2])[i])
                                               FROM generate_series(1, 17) i)::int % 11 + 1, 1),
             '居民' || n, 'M', to_date(substr(first17, 7, 8), 'YYYYMMDD'), ${options.category ?? 'floating'}, ${options.employer ?? null}
      FROM numbers
      RETURNING id)
    INSERT INTO residencies (person_id, unit_code, street_code, moved_in, registered_at, moved_out, deregistered_at)
    SELECT id, ${unitCode}, left(${unitCode}, 9), DATE '2026-01-01', DATE '2026-01-01', ${options.movedOut ?? null}::date, ${options.movedOut ?? null}::date FROM people
    RETURNING id`.execute(trx);
    return stays.rows.map((row) => row.id);
  });
}

async function insertCollector(db: Kysely<DB>, name: string, grid: string, options: { partTimeFor?: string; active?: boolean; endedOn?: string } = {}) {
  const collector = await db
    .insertInto('collectors')
    .values({
      name,
      phone: '13800000000',
      photo_url: `/photos/${encodeURIComponent(name)}.jpg`,
      employment: options.partTimeFor ? 'part_time' : 'full_time',
      employer: options.partTimeFor ?? null,
      active: options.active ?? true,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('collector_assignments')
    .values({
      collector_id: collector.id,
      grid_code: grid,
      street_code: streetCodeOf(grid),
      assigned_on: '2026-01-0' + (1 + (collector.id % 9)),
      ended_on: options.endedOn ?? null,
    })
    .execute();
  return collector.id;
}

export async function insertAllocationCity(db: Kysely<DB>): Promise<void> {
  await insertFixtureCity(db);
  await insertArea(db, CITY.communityB, 'community', CITY.street1, '乙社区', square(2));
  await insertArea(db, CITY.communityZ, 'community', CITY.street1, '零社区', square(4));
  await insertArea(db, CITY.street2, 'street', CITY.district, '第二街道', square(6));
  await insertArea(db, CITY.communityR, 'community', CITY.street2, '出租社区', square(6));
  const grids: [string, string, number][] = [
    [CITY.B1, '乙一', 2],
    [CITY.B2, '乙二', 3],
    [CITY.Z1, '零一', 4],
    [CITY.Z2, '零二', 5],
    [CITY.R1, '租一', 6],
  ];
  for (const [code, name, column] of grids) await insertGrid(db, code, name, column);
  await noteShapesWritten(db); // the shapes carry no trigger (sql/0044)

  const westRoom = fixtureUnitCode(FIXTURE.westHouse, 1, 1);
  await insertResidents(db, westRoom, 150, { employer: CITY.employerX });
  await insertResidents(db, westRoom, 350);
  await insertResidents(db, fixtureUnitCode(FIXTURE.westHouse, 2, 1), 101, { category: 'registered' });
  await insertResidents(db, westRoom, 3, { movedOut: '2026-02-01' });

  await insertBuildings(db, CITY.B1, 1, 1, 0, 1);
  const b1Room = `${CITY.B1}00001000101`;
  await insertResidents(db, b1Room, 50, { employer: ` ${CITY.employerX} ` }); // same employer, typed with spaces
  await insertResidents(db, b1Room, 199, { employer: CITY.employerSmall });
  await insertResidents(db, b1Room, 252);

  await insertBuildings(db, CITY.R1, 1, 50, 1, 1);
  await insertBuildings(db, CITY.R1, 51, 1, 2, 0);
  await insertBuildings(db, CITY.R1, 52, 1, 1, 0, 'demolished');
  await insertBuildings(db, CITY.R1, 53, 1, 0, 2);
  await insertResidents(db, `${CITY.R1}00001000101`, 10);

  for (const name of ['王一', '王二', '王三']) await insertCollector(db, name, CITY.W);
  await insertCollector(db, '乙专职', CITY.B2);
  await insertCollector(db, '租专职', CITY.R1);
  await insertCollector(db, '停用者', CITY.B1, { active: false });
  await insertCollector(db, '已调走', CITY.Z1, { endedOn: '2026-03-01' });
  await insertCollector(db, '厂兼职', CITY.R1, { partTimeFor: CITY.employerX });
}
