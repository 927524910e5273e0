import { sql } from 'kysely';
import type request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../server/db/schema.ts';
import { withCheckCharacter } from '../../server/domain/id-number.ts';
import { urlPathOf, type RouteSpec } from '../../server/http/route-registry.ts';
import { apiRoutes } from '../../server/routes.ts';
import { ANALYTICS, insertAnalyticsCity, insertPermit } from '../helpers/analytics-fixture.ts';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { importAndWait, importer, UNIT_HEADERS, utf8Csv } from '../helpers/import-files.ts';
import { FIXTURE, fixtureUnitCode, insertUser } from '../helpers/fixture-city.ts';

/**
 * The wrong-jurisdiction half of the authorisation matrix (issues 8 and 14): every role is
 * bounded, aggregates included. A collector bounded to the West grid, and police, leader,
 * planner, admin and auditor bounded to the North community call every route they may call,
 * aimed at something outside their area.
 * - 'object' routes name an outside building, unit, grid, area, person or permit in the URL or
 *   body: the answer must be 404 (guessing reveals nothing) and nothing changes.
 * - 'list' routes answer with what the caller may see: the body (JSON, CSV, GeoJSON or a
 *   vector tile) must not contain any grid, building or unit code outside the caller's area,
 *   nor the code of an area beside it (the areas that contain it may be named, as places).
 * - 'not bounded' routes carry no place-bound data; the reason is written down. `except` names
 *   roles for whom a route carries no place-bound data, with the reason.
 * A route added to the registry without an entry here fails the first test.
 */
type Bounded = 'collector' | 'police' | 'leader' | 'planner' | 'admin' | 'auditor';
const BOUNDED: readonly Bounded[] = ['collector', 'police', 'leader', 'planner', 'admin', 'auditor'];

interface Outside {
  building: string;
  unit: string;
  grid: string;
  personId: number;
  permitId: number;
  /** An import job someone else started. */
  importJobId: number;
  /** A collector to assign to the outside grid. */
  collectorId: number;
}

type Call = { method: 'get' | 'post' | 'patch' | 'put'; url: string; body?: object };
type Except = { except?: Partial<Record<Bounded, string>> };
type Entry = ({ object: (outside: Outside) => Call } & Except) | ({ list: (outside: Outside) => Call | Call[] } & Except) | { notBounded: string };

const PURPOSE = 'purpose=核查越权';
const ADMIN_IMPORTS = 'admins run and read every import job: a job is a file, its rows are checked against the importer’s grids';
const person = { idType: 'id_card', idNumber: withCheckCharacter('44030719900101987'), name: '越权', category: 'floating' };

const ENTRIES: Record<string, Entry> = {
  'GET /api/health': { notBounded: 'public: counts of the whole city, no places' },
  'POST /api/auth/login': { notBounded: 'public: signing in' },
  'GET /api/auth/me': { notBounded: 'the caller’s own account' },
  'GET /api/auth/session': { notBounded: 'public: the caller’s own session, or none' },
  'GET /api/map-config': { notBounded: 'the office’s basemap setting, no places or people' },
  'POST /api/auth/password': { notBounded: 'the caller’s own account' },
  'GET /api/auth/tokens': { notBounded: 'the caller’s own tokens; a token reads within its user’s jurisdiction (tests/api/access-tokens.test.ts)' },
  'POST /api/auth/tokens': { notBounded: 'the caller’s own token' },
  'DELETE /api/auth/tokens/:id': { notBounded: 'the caller’s own token' },
  'POST /api/auth/logout': { notBounded: 'the caller’s own account' },
  'GET /api/areas': { list: () => ['district', 'street', 'community', 'grid'].map((level) => ({ method: 'get', url: `/api/areas?level=${level}` })) },
  'GET /api/buildings.geojson': { list: () => ({ method: 'get', url: '/api/buildings.geojson' }) },
  'GET /api/buildings/:code': { object: (o) => ({ method: 'get', url: `/api/buildings/${o.building}` }) },
  'GET /api/units/:code': { object: (o) => ({ method: 'get', url: `/api/units/${o.unit}` }) },
  'POST /api/registrations/move-in': {
    object: (o) => ({ method: 'post', url: '/api/registrations/move-in', body: { unitCode: o.unit, movedIn: '2025-06-01', person } }),
  },
  'POST /api/registrations/move-ins': {
    object: (o) => ({ method: 'post', url: '/api/registrations/move-ins', body: { unitCode: o.unit, movedIn: '2025-06-01', people: [person] } }),
  },
  'POST /api/registrations/move': {
    object: (o) => ({ method: 'post', url: '/api/registrations/move', body: { personId: o.personId, toUnitCode: o.unit, movedOn: '2025-06-01' } }),
  },
  'POST /api/registrations/move-out': {
    object: (o) => ({ method: 'post', url: '/api/registrations/move-out', body: { personId: o.personId, movedOut: '2025-06-01' } }),
  },
  'POST /api/permits': { object: (o) => ({ method: 'post', url: '/api/permits', body: { personId: o.personId, years: 1 } }) },
  'POST /api/permits/:id/renew': { object: (o) => ({ method: 'post', url: `/api/permits/${o.permitId}/renew`, body: { years: 1 } }) },
  'POST /api/permits/:id/revoke': { object: (o) => ({ method: 'post', url: `/api/permits/${o.permitId}/revoke`, body: { reason: 'moved_away' } }) },
  'GET /api/permits/expiring': { object: (o) => ({ method: 'get', url: `/api/permits/expiring?grid=${o.grid}&days=366&${PURPOSE}` }) },
  'GET /api/people/search': { object: (o) => ({ method: 'get', url: `/api/people/search?code=${o.building}&${PURPOSE}` }) },
  'GET /api/people/:id': { object: (o) => ({ method: 'get', url: `/api/people/${o.personId}?${PURPOSE}` }) },
  'GET /api/people/:id/residences': { object: (o) => ({ method: 'get', url: `/api/people/${o.personId}/residences?${PURPOSE}` }) },
  'PATCH /api/people/:id': { object: (o) => ({ method: 'patch', url: `/api/people/${o.personId}`, body: { reason: 'typing_error', name: '改名' } }) },
  'GET /api/drilldown/buildings/:code': { object: (o) => ({ method: 'get', url: `/api/drilldown/buildings/${o.building}?${PURPOSE}` }) },
  // Compounds outside one's area: tests/api/compounds.test.ts also drills into real ones across a community and a grid.
  'GET /api/compounds': { object: (o) => ({ method: 'get', url: `/api/compounds?within=${o.grid}` }) },
  'GET /api/compounds.geojson': { list: () => ({ method: 'get', url: '/api/compounds.geojson' }) },
  'GET /api/compounds/:code': { object: (o) => ({ method: 'get', url: `/api/compounds/${o.grid.slice(0, 12)}-001?${PURPOSE}` }) },
  'GET /api/units/:code/occupants': { object: (o) => ({ method: 'get', url: `/api/units/${o.unit}/occupants?${PURPOSE}` }) },
  'POST /api/units/:code/check': { object: (o) => ({ method: 'post', url: `/api/units/${o.unit}/check`, body: { visitedOn: '2025-06-01', use: 'rented' } }) },
  'GET /api/reports/late-registrations': { object: (o) => ({ method: 'get', url: `/api/reports/late-registrations?grid=${o.grid}&${PURPOSE}` }) },
  'GET /api/reports/unregistered-departures': { object: (o) => ({ method: 'get', url: `/api/reports/unregistered-departures?grid=${o.grid}&${PURPOSE}` }) },
  'GET /api/heatmaps': { notBounded: 'the list of metrics and their definitions' },
  'GET /api/heatmaps/:metric': {
    list: () => [
      { method: 'get', url: '/api/heatmaps/population?level=grid&asOf=2025-06-01' },
      { method: 'get', url: '/api/heatmaps/population?level=grid&asOf=2025-06-01&shape=values' },
    ],
  },
  'GET /api/heatmaps/cells': {
    list: () => [
      { method: 'get', url: '/api/heatmaps/cells?level=grid' },
      { method: 'get', url: '/api/heatmaps/cells?level=community' },
    ],
  },
  'GET /api/kpis': { object: (o) => ({ method: 'get', url: `/api/kpis?area=${o.grid}&asOf=2025-06-01` }) },
  // A `within` outside one's area answers 404: tests/api/hotspots.test.ts.
  'GET /api/hotspots': {
    list: () =>
      ['grid', 'community'].flatMap((level) =>
        ['cases', 'floating_density'].map((metric) => ({ method: 'get' as const, url: `/api/hotspots?metric=${metric}&level=${level}&asOf=2025-06-01` })),
      ),
  },
  // A `within` outside one's area answers 404: tests/api/hotspots-trends-access.test.ts.
  'GET /api/hotspots/emerging': {
    list: () =>
      ['grid', 'community'].flatMap((level) =>
        ['cases', 'floating_density'].map((metric) => ({
          method: 'get' as const,
          url: `/api/hotspots/emerging?metric=${metric}&level=${level}&to=2025-12-31&months=12`,
        })),
      ),
  },
  'GET /api/hotspots/changes': {
    list: () =>
      ['grid', 'community'].flatMap((level) =>
        ['cases', 'floating'].map((metric) => ({
          method: 'get' as const,
          url: `/api/hotspots/changes?metric=${metric}&level=${level}&asOf=2025-06-30&limit=200`,
        })),
      ),
  },
  'GET /api/rentals/rules': { notBounded: 'the city’s scoring rules' },
  'GET /api/rentals/tiers': { list: () => ({ method: 'get', url: '/api/rentals/tiers' }) },
  'GET /api/rentals/tiers/grids': { list: () => ({ method: 'get', url: '/api/rentals/tiers/grids' }) },
  'GET /api/rentals/buildings/:code': { object: (o) => ({ method: 'get', url: `/api/rentals/buildings/${o.building}` }) },
  'GET /api/rentals/buildings/:code/households': { object: (o) => ({ method: 'get', url: `/api/rentals/buildings/${o.building}/households` }) },
  'GET /api/rentals/units/:code': { object: (o) => ({ method: 'get', url: `/api/rentals/units/${o.unit}` }) },
  'GET /api/rentals/buildings/:code/inspections': { object: (o) => ({ method: 'get', url: `/api/rentals/buildings/${o.building}/inspections` }) },
  'POST /api/rentals/inspections': {
    object: (o) => ({ method: 'post', url: '/api/rentals/inspections', body: { buildingCode: o.building, visitedOn: '2025-06-01', doorsOk: true } }),
  },
  'GET /api/rentals/overdue': { list: () => ({ method: 'get', url: '/api/rentals/overdue' }) },
  'GET /api/rentals/overdue/summary': { list: () => ({ method: 'get', url: '/api/rentals/overdue/summary?by=grid' }) },
  'POST /api/rentals/person-flags': {
    object: (o) => ({ method: 'post', url: '/api/rentals/person-flags', body: { personId: o.personId, flag: 'key_person', fromDate: '2025-06-01' } }),
  },
  'GET /api/collectors/public/:areaCode': { notBounded: 'public: the collectors’ names and phones posted in every building' },
  // z13 and z14 tiles around the fixture city, which all three communities' grids touch.
  'GET /tiles/:layer.json': { notBounded: 'service document: tile URL, zooms, city bounds and field names, no features' },
  'GET /style.json': { notBounded: 'a MapLibre style: colours and the TileJSON URLs, no features' },
  'GET /tiles/:layer/:z/:x/:y.mvt': {
    list: () =>
      ['areas/13/6694/3565', 'grids/13/6694/3565', 'grids/10/836/445', 'statistics/13/6694/3565', 'buildings/14/13389/7130', 'buildings/14/13390/7130'].map(
        (tile) => ({
          method: 'get',
          url: `/tiles/${tile}.mvt`,
        }),
      ),
  },
  'GET /ogc': { notBounded: 'public service document: no features' },
  'GET /ogc/conformance': { notBounded: 'public service document: no features' },
  'GET /ogc/collections': { notBounded: 'public service document: no features' },
  'GET /ogc/collections/:collectionId': { notBounded: 'public service document: no features' },
  'GET /ogc/collections/:collectionId/queryables': { notBounded: 'public service document: property names and types, no features' },
  'GET /ogc/collections/:collectionId/items': {
    list: () =>
      ['areas', 'grids', 'buildings', 'building_points', 'statistics'].map((collection) => ({
        method: 'get',
        url: `/ogc/collections/${collection}/items?limit=1000`,
      })),
  },
  'GET /ogc/collections/:collectionId/items/:featureId': { object: (o) => ({ method: 'get', url: `/ogc/collections/buildings/items/${o.building}` }) },
  'GET /api/exports/grids': { list: () => ({ method: 'get', url: '/api/exports/grids?format=csv' }) },
  'GET /api/exports/buildings': { list: () => ({ method: 'get', url: '/api/exports/buildings?format=csv' }) },
  // Its tiles are gzipped, so the byte scan here only sees the header and metadata: the decoded tiles
  // are checked for the caller's jurisdiction in tests/api/pmtiles.test.ts.
  'GET /api/exports/pmtiles': { list: () => ({ method: 'get', url: '/api/exports/pmtiles?minzoom=13&maxzoom=14' }) },
  'GET /api/exports/people': { object: (o) => ({ method: 'get', url: `/api/exports/people?building=${o.building}&${PURPOSE}` }) },
  'POST /api/imports': { notBounded: 'rows outside the caller’s grids are refused row by row (tests/api/imports.test.ts)' },
  'GET /api/imports': { list: () => ({ method: 'get', url: '/api/imports' }), except: { admin: ADMIN_IMPORTS } },
  'GET /api/imports/:id': { object: (o) => ({ method: 'get', url: `/api/imports/${o.importJobId}` }), except: { admin: ADMIN_IMPORTS } },
  'GET /api/imports/templates/:file': { notBounded: 'an empty template: column headers only, no data' },
  'GET /api/imports/:id/report.csv': { object: (o) => ({ method: 'get', url: `/api/imports/${o.importJobId}/report.csv` }), except: { admin: ADMIN_IMPORTS } },
  'POST /api/heatmaps/refresh': { notBounded: 'recomputes the maintained figures; returns no figures' },
  'POST /api/rentals/rules': { notBounded: 'the city’s scoring rules' },
  'POST /api/rentals/scores/run': { notBounded: 'a scoring run over the city; returns counts of buildings only' },
  'GET /api/collectors/settings': { notBounded: 'the city’s allocation ratios' },
  'PUT /api/collectors/settings': { notBounded: 'the city’s allocation ratios' },
  'GET /api/collectors/allocation': {
    list: () => ['grid', 'community', 'street', 'district'].map((level) => ({ method: 'get', url: `/api/collectors/allocation?level=${level}` })),
  },
  'GET /api/collectors/shortage': { list: () => ({ method: 'get', url: '/api/collectors/shortage?level=grid' }) },
  'GET /api/collectors/employers': { object: (o) => ({ method: 'get', url: `/api/collectors/employers?within=${o.grid}` }) },
  'GET /api/collectors/rebalance': { object: (o) => ({ method: 'get', url: `/api/collectors/rebalance?within=${o.grid}` }) },
  'GET /api/collectors/plan.csv': { list: () => ({ method: 'get', url: '/api/collectors/plan.csv?table=grids' }) },
  'GET /api/collectors/plan.xlsx': { object: (o) => ({ method: 'get', url: `/api/collectors/plan.xlsx?within=${o.grid}` }) },
  'GET /api/collectors': { object: (o) => ({ method: 'get', url: `/api/collectors?within=${o.grid}` }) },
  'POST /api/collectors': { notBounded: 'a new collector record has no place until assigned' },
  'GET /api/collectors/:id': { notBounded: 'a staff record (name and phone are posted in every building they serve)' },
  'PATCH /api/collectors/:id': { notBounded: 'a staff record (name and phone are posted in every building they serve)' },
  'POST /api/collectors/:id/assignments': {
    object: (o) => ({ method: 'post', url: `/api/collectors/${o.collectorId}/assignments`, body: { gridCode: o.grid } }),
  },
  'POST /api/collectors/:id/assignments/:assignmentId/end': { notBounded: 'ends an assignment the planner can see on the staff record' },
  'GET /api/audit': { notBounded: 'the audit trail is reviewed whole: it holds no figures, only who did what' },
  'GET /api/audit/verify': { notBounded: 'the audit trail is reviewed whole: it holds no figures, only who did what' },
  'GET /api/audit/checkpoints': { notBounded: 'the audit trail is reviewed whole: it holds no figures, only who did what' },
  'GET /api/users': { notBounded: 'user accounts, managed by admins for the whole deployment' },
  'POST /api/users': { notBounded: 'user accounts, managed by admins for the whole deployment' },
  'PATCH /api/users/:id': { notBounded: 'user accounts, managed by admins for the whole deployment' },
  'POST /api/users/:id/password': { notBounded: 'user accounts, managed by admins for the whole deployment' },
  'GET /api/users/grants': { notBounded: 'grants of user accounts, managed by admins for the whole deployment' },
  'POST /api/users/grants/:id/approve': { notBounded: 'grants of user accounts, managed by admins for the whole deployment' },
  'POST /api/users/grants/:id/reject': { notBounded: 'grants of user accounts, managed by admins for the whole deployment' },
  'GET /api/openapi.json': { notBounded: 'public API description' },
  'GET /api/docs': { notBounded: 'public API description' },
};

const keyOf = (spec: RouteSpec) => `${spec.method.toUpperCase()} ${urlPathOf(spec)}`;
const boundedCallers = (spec: RouteSpec): Bounded[] => (spec.access === 'public' ? [] : BOUNDED.filter((role) => spec.access.includes(role as Role)));

let t: TestApp;
let specs: RouteSpec[];
const sessions = new Map<Bounded, LoggedIn>();
const outside = new Map<Bounded, Outside>();
/** Every grid, building and unit code outside each caller's area: none may appear in what they read. */
const forbiddenCodes = new Map<Bounded, string[]>();
const NORTH = ANALYTICS.northCommunity;
const JURISDICTION: Record<Bounded, string> = { collector: FIXTURE.gridWest, police: NORTH, leader: NORTH, planner: NORTH, admin: NORTH, auditor: NORTH };

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_USER_PER_MINUTE: '100000', RATE_LIMIT_IP_PER_MINUTE: '100000', INSPECTION_BACKDATE_DAYS: '36500' });
  const { personIds } = await insertAnalyticsCity(t.handle.db);
  await insertPermit(t.handle.db, personIds.E4!, { issued: '2025-07-01', expires: '2026-06-30' }, 'JZZ-E4-0');
  await insertUser(t.handle.db, 'district-admin', 'admin');
  const adminsImport = await importer(t, 'district-admin');
  const { job } = await importAndWait(
    adminsImport,
    { kind: 'units', crs: 'wgs84', format: 'csv' },
    utf8Csv([UNIT_HEADERS, ['bad-code', 1, '101', 20, 'rented', '是']]),
  );
  const importJobId = job.id;
  const collector = await t.handle.db
    .insertInto('collectors')
    .values({ name: '外区采集员', employment: 'full_time' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const permitOf = async (personId: number) =>
    (await t.handle.db.selectFrom('permits').select('id').where('person_id', '=', personId).orderBy('id').executeTakeFirstOrThrow()).id;
  const outsideWest = {
    building: FIXTURE.westHouse,
    unit: fixtureUnitCode(FIXTURE.westHouse, 1, 1),
    grid: FIXTURE.gridWest,
    personId: personIds.W1!,
    permitId: await permitOf(personIds.W1!),
  };
  const common = { importJobId, collectorId: collector.id };
  for (const role of BOUNDED) outside.set(role, { ...outsideWest, ...common });
  outside.set('collector', {
    building: FIXTURE.eastHouse,
    unit: fixtureUnitCode(FIXTURE.eastHouse, 1, 1),
    grid: FIXTURE.gridEast,
    personId: personIds.E4!,
    permitId: await permitOf(personIds.E4!),
    ...common,
  });
  const codes = await sql<{ code: string }>`SELECT code FROM grids UNION ALL SELECT code FROM buildings UNION ALL SELECT code FROM units`.execute(t.handle.db);
  const areaCodes = await sql<{ code: string }>`SELECT code FROM admin_areas`.execute(t.handle.db);
  await insertUser(t.handle.db, 'district-planner', 'planner');
  for (const role of BOUNDED) {
    const area = JURISDICTION[role];
    await insertUser(t.handle.db, role, role, [area]);
    sessions.set(role, await t.logIn(role));
    // An area beside the caller's (neither inside it nor containing it) is outside too.
    const besideAreas = areaCodes.rows.map((row) => row.code).filter((code) => !code.startsWith(area) && !area.startsWith(code));
    forbiddenCodes.set(role, [...codes.rows.map((row) => row.code).filter((code) => !code.startsWith(area)), ...besideAreas]);
  }
  specs = apiRoutes(t.context);
});
afterAll(async () => t?.close());

async function send(role: Bounded, call: Call) {
  const session = sessions.get(role)!;
  if (call.method === 'get') return session.get(call.url).buffer(true).parse(collectBytes);
  if (call.method === 'post') return session.post(call.url, call.body);
  return session.send(call.method, call.url, call.body);
}

/** Keeps any body as raw bytes (supertest hands a parser the incoming message stream). */
function collectBytes(response: request.Response, done: (error: Error | null, body: Buffer) => void): void {
  const stream = response as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

/** A row count per table a write could touch: a refused call must leave them all as they were. */
async function tableCounts(): Promise<Record<string, number>> {
  const result = await sql<{ counts: Record<string, number> }>`
    SELECT json_build_object('persons', (SELECT count(*) FROM persons), 'residencies', (SELECT count(*) FROM residencies),
      'open', (SELECT count(*) FROM residencies WHERE moved_out IS NULL), 'permits', (SELECT count(*) FROM permits),
      'valid', (SELECT count(*) FROM permits WHERE status = 'valid'), 'inspections', (SELECT count(*) FROM inspections),
      'flags', (SELECT count(*) FROM person_flags), 'names', (SELECT string_agg(name, ',' ORDER BY id) FROM persons)) AS counts`.execute(t.handle.db);
  return result.rows[0]!.counts;
}

describe('wrong-jurisdiction matrix', () => {
  it('has an entry for every route a signed-in role may call, and none for routes that are gone', () => {
    const callable = specs
      .filter((spec) => boundedCallers(spec).length > 0 || spec.access === 'public')
      .map(keyOf)
      .sort();
    const bounded = specs.filter((spec) => boundedCallers(spec).length > 0).map(keyOf);
    expect(Object.keys(ENTRIES).sort()).toEqual(callable);
    for (const key of bounded) expect({ key, entry: ENTRIES[key] }).toMatchObject({ key, entry: expect.any(Object) });
  });

  it.each(BOUNDED.map((role) => [role]))('answers %s 404 for every object outside its area and changes nothing', async (role) => {
    const before = await tableCounts();
    const answers: Record<string, number> = {};
    for (const spec of specs.filter((candidate) => boundedCallers(candidate).includes(role))) {
      const entry = ENTRIES[keyOf(spec)]; // a missing entry fails the first test
      if (entry && 'object' in entry && !entry.except?.[role]) answers[keyOf(spec)] = (await send(role, entry.object(outside.get(role)!))).status;
    }
    expect(answers).toEqual(Object.fromEntries(Object.keys(answers).map((key) => [key, 404])));
    expect(await tableCounts()).toEqual(before);
  });

  it.each(BOUNDED.map((role) => [role]))('shows %s no grid, building or unit code outside its area in any list', async (role) => {
    const answers: Record<string, { status: number | 'ok'; leaked: string[] }> = {};
    for (const spec of specs.filter((candidate) => boundedCallers(candidate).includes(role))) {
      const entry = ENTRIES[keyOf(spec)];
      if (!entry || !('list' in entry) || entry.except?.[role]) continue;
      for (const call of [entry.list(outside.get(role)!)].flat()) {
        const response = await send(role, call);
        // latin1 keeps every byte: codes inside a vector tile or an XLSX string table are found too.
        const text = Buffer.isBuffer(response.body) ? response.body.toString('latin1') : JSON.stringify(response.body);
        answers[call.url] = { status: response.status < 300 ? 'ok' : response.status, leaked: forbiddenCodes.get(role)!.filter((code) => text.includes(code)) };
      }
    }
    expect(answers).toEqual(Object.fromEntries(Object.keys(answers).map((key) => [key, { status: 'ok', leaked: [] }])));
  });

  it('lists something inside the area, so an empty answer cannot pass for a bounded one', async () => {
    const mine = await send('collector', { method: 'get', url: '/api/buildings.geojson' });
    expect(Buffer.from(mine.body).toString('utf8')).toContain(FIXTURE.westHouse);
    const tile = await send('collector', { method: 'get', url: '/tiles/buildings/14/13389/7130.mvt' });
    expect(Buffer.from(tile.body).toString('latin1')).toContain(FIXTURE.westHouse);
    const districtWide = await (await t.logIn('district-planner')).get('/tiles/grids/13/6694/3565.mvt').buffer(true).parse(collectBytes);
    expect(districtWide.body.toString('latin1')).toContain(FIXTURE.gridEast);
    const northLeader = await send('leader', { method: 'get', url: '/api/heatmaps/population?level=grid&asOf=2025-06-01' });
    expect(Buffer.from(northLeader.body).toString('utf8')).toContain(ANALYTICS.northGrid);
  });
});
