import { inflateRawSync } from 'node:zlib';
import { sql } from 'kysely';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { CITY, insertAllocationCity } from '../helpers/collectors-fixture.ts';
import { FIXTURE, insertUser } from '../helpers/fixture-city.ts';
import { editShapesByHand } from '../helpers/hand-edits.ts';

/**
 * Every expected figure below is counted by hand from tests/helpers/collectors-fixture.ts. The
 * ratios apply per community (DOMAIN.md), then the community need is shared out to its grids by
 * largest remainder. Rental houses are let dwellings (let units), not buildings.
 *   community  grids   floating rental(bldgs) population  ratios (500 / 50)      small (<1000 floating)  need  shared out
 *   A          W, E       500       6 (1)       601       1, ceil(6/50)=1 → 1    exactly 1                1     W 1 (floating 500 of 500)
 *   B          B1, B2     501       0           501       ceil(501/500)=2 → 2    exactly 1                1     B1 1 (floating 501 of 501)
 *   Z          Z1, Z2       0       0             0       0                      exactly 1                1     equal shares .5/.5 → Z1 (lower code)
 *   R          R1          10      52 (51)       10       1, ceil(52/50)=2 → 2   exactly 1                1     R1 1
 * Full-time W 3, B2 1, R1 1 → gaps W +2, E 0, B1 −1, B2 +1, Z1 −1, Z2 0, R1 0.
 * Need 4, assigned 5, gap +1, shortage 1+1 = 2, surplus 2+1 = 3.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  await insertAllocationCity(t.handle.db);
  for (const role of ['leader', 'planner', 'police', 'admin', 'auditor'] as const) await insertUser(t.handle.db, role, role);
  await insertUser(t.handle.db, 'collector', 'collector', [FIXTURE.gridWest]);
});
afterAll(async () => t?.close());

type Agent = { get(url: string): request.Test; put(url: string, body: object): request.Test };
const agents = new Map<string, Agent>();

/** A logged-in agent per user (logging in hashes a password: once is enough), that can also PUT. */
async function agentFor(username: string): Promise<Agent> {
  const known = agents.get(username);
  if (known) return known;
  const agent = request.agent(t.app);
  const login = await agent.post('/api/auth/login').send({ username, password: FIXTURE.password }).expect(200);
  const csrf: string = login.body.csrfToken;
  const loggedIn: Agent = { get: (url) => agent.get(url), put: (url, body) => agent.put(url).set('X-CSRF-Token', csrf).send(body) };
  agents.set(username, loggedIn);
  return loggedIn;
}

interface Row {
  code: string;
  need: number;
  gap: number;
  fullTimeAssigned: number;
  steps: { communityNeed: number; basis: string; quota: number; need: number };
  [key: string]: unknown;
}

const byCode = (rows: Row[]) => Object.fromEntries(rows.map((row) => [row.code, row]));

describe('need per community, shared out to its grids (500 floating or 50 rental houses per collector)', () => {
  it('counts the inputs: open residencies only; rental houses = let units, rental buildings beside them', async () => {
    const planner = await agentFor('planner');
    const { body } = await planner.get('/api/collectors/allocation?level=grid&sort=code').expect(200);
    const rows = byCode(body.rows);
    expect(Object.keys(rows)).toEqual([CITY.W, CITY.E, CITY.B1, CITY.B2, CITY.Z1, CITY.Z2, CITY.R1]);
    // W's one rental building has 6 let rooms: 6 rental houses, 1 rental building.
    expect(rows[CITY.W]).toMatchObject({ floating: 500, rentalHouses: 6, rentalBuildings: 1, population: 601, fullTimeAssigned: 3, partTimeAssigned: 0 });
    // R1: 50 buildings with one let unit and one with two (52 let units in 51 buildings); the demolished one and the one with none let do not count.
    expect(rows[CITY.R1]).toMatchObject({ floating: 10, rentalHouses: 52, rentalBuildings: 51, population: 10, fullTimeAssigned: 1, partTimeAssigned: 1 });
    // The inactive collector in B1 and the ended assignment in Z1 do not count.
    expect(rows[CITY.B1]).toMatchObject({ floating: 501, fullTimeAssigned: 0 });
    expect(rows[CITY.Z1]).toMatchObject({ floating: 0, fullTimeAssigned: 0 });
  });

  it('a grid asked for alone is its share of its whole community; the answer lists the community’s steps', async () => {
    const { body } = await (await agentFor('planner')).get(`/api/collectors/allocation?within=${CITY.W}`).expect(200);
    expect(body.rows).toHaveLength(1);
    expect(body.rows[0].steps).toEqual({
      mode: 'floating_or_rental',
      communityCode: CITY.communityA,
      communityNeed: 1,
      communityDecidedBy: 'floating',
      basis: 'floating',
      basisTotal: 500,
      code: CITY.W,
      count: 500,
      quota: 1,
      floor: 1,
      remainder: 0,
      extra: 0,
      need: 1,
    });
    expect(body.rows[0]).toMatchObject({ need: 1, gap: 2 });
    expect(body.communities).toEqual([
      {
        code: CITY.communityA,
        mode: 'floating_or_rental',
        grids: 2,
        floating: 500,
        rentalHouses: 6,
        rentalBuildings: 1,
        population: 601,
        ratios: [
          { rule: 'floating', count: 500, perCollector: 500, quotient: 1, need: 1 },
          { rule: 'rental', count: 6, perCollector: 50, quotient: 0.12, need: 1 },
        ],
        ratioNeed: 1,
        smallCommunity: { floating: 500, floatingBelow: 1000, isSmallCommunity: true, minimum: 1, kind: 'exactly', applied: false },
        need: 1,
        decidedBy: 'floating',
        apportionment: {
          basis: 'floating',
          total: 500,
          leftAfterFloors: 0,
          shares: [
            { code: CITY.W, count: 500, quota: 1, floor: 1, remainder: 0, extra: 0, need: 1 },
            { code: CITY.E, count: 0, quota: 0, floor: 0, remainder: 0, extra: 0, need: 0 },
          ],
        },
      },
    ]);
  });

  it('under 1000 floating people a community needs exactly one: 501 floating (ratio 2) and 52 rental houses (ratio 2) each get 1', async () => {
    const planner = await agentFor('planner');
    const communities = byCode((await planner.get('/api/collectors/allocation?level=community&sort=code').expect(200)).body.rows);
    expect(communities[CITY.communityB]!.communitySteps).toMatchObject({
      floating: 501,
      ratios: [
        { rule: 'floating', count: 501, quotient: 1.002, need: 2 },
        { rule: 'rental', count: 0, need: 0 },
      ],
      ratioNeed: 2,
      smallCommunity: { isSmallCommunity: true, kind: 'exactly', minimum: 1, applied: true },
      need: 1,
      decidedBy: 'community_minimum',
      apportionment: { basis: 'floating', total: 501 },
    });
    expect(communities[CITY.communityR]!.communitySteps).toMatchObject({
      rentalHouses: 52,
      rentalBuildings: 51,
      ratios: [
        { rule: 'floating', need: 1 },
        { rule: 'rental', count: 52, quotient: 1.04, need: 2 },
      ],
      ratioNeed: 2,
      need: 1,
      decidedBy: 'community_minimum',
      apportionment: { basis: 'rental', total: 52 },
    });
    const grids = byCode((await planner.get('/api/collectors/allocation?sort=code').expect(200)).body.rows);
    expect([CITY.W, CITY.E, CITY.B1, CITY.B2, CITY.Z1, CITY.Z2, CITY.R1].map((code) => [grids[code]!.need, grids[code]!.gap])).toEqual([
      [1, 2],
      [0, 0],
      [1, -1],
      [0, 1],
      [1, -1],
      [0, 0],
      [1, 0],
    ]);
  });

  it('a community without anyone gets its one on equal shares, the tie going to the lower grid code', async () => {
    const planner = await agentFor('planner');
    const communities = byCode((await planner.get('/api/collectors/allocation?level=community&sort=code').expect(200)).body.rows);
    expect(communities[CITY.communityZ]).toMatchObject({ name: '零社区', need: 1, gap: -1 });
    expect(communities[CITY.communityZ]!.communitySteps).toMatchObject({
      ratioNeed: 0,
      need: 1,
      decidedBy: 'community_minimum',
      apportionment: {
        basis: 'equal',
        total: 2,
        leftAfterFloors: 1,
        shares: [
          { code: CITY.Z1, count: 1, quota: 0.5, floor: 0, remainder: 0.5, extra: 1, need: 1 },
          { code: CITY.Z2, count: 1, quota: 0.5, floor: 0, remainder: 0.5, extra: 0, need: 0 },
        ],
      },
    });
  });

  it('without the small-community rule the ratios decide per community: B needs 2 (both in B1), R 2 by rental houses, Z none', async () => {
    const { body } = await (await agentFor('planner')).get('/api/collectors/allocation?smallCommunityFloatingBelow=0&sort=code').expect(200);
    const rows = byCode(body.rows);
    expect([CITY.W, CITY.E, CITY.B1, CITY.B2, CITY.Z1, CITY.Z2, CITY.R1].map((code) => rows[code]!.need)).toEqual([1, 0, 2, 0, 0, 0, 2]);
    expect(rows[CITY.R1]!.steps).toMatchObject({ communityNeed: 2, communityDecidedBy: 'rental', basis: 'rental', count: 52, basisTotal: 52 });
    expect(body.totals).toMatchObject({ need: 5, gap: 0 });
  });

  it('sums communities to streets and the district (Σ grid gaps; shortage and surplus apart)', async () => {
    const planner = await agentFor('planner');
    const communities = (await planner.get('/api/collectors/allocation?level=community&sort=code').expect(200)).body;
    expect(communities.rows.map((row: Row) => [row.code, row.need, row.fullTimeAssigned, row.gap, row.shortage, row.surplus])).toEqual([
      [CITY.communityA, 1, 3, 2, 0, 2],
      [CITY.communityB, 1, 1, 0, 1, 1],
      [CITY.communityZ, 1, 0, -1, 1, 0],
      [CITY.communityR, 1, 1, 0, 0, 0],
    ]);
    for (const row of communities.rows as Row[]) expect(row.need).toBe((row.communitySteps as { need: number }).need);
    const streets = (await planner.get('/api/collectors/allocation?level=street&sort=code').expect(200)).body.rows;
    expect(streets.map((row: Row) => [row.code, row.name, row.need, row.fullTimeAssigned, row.gap, row.shortage, row.surplus])).toEqual([
      [CITY.street1, '测试街道', 3, 4, 1, 2, 3],
      [CITY.street2, '第二街道', 1, 1, 0, 0, 0],
    ]);
    const district = (await planner.get('/api/collectors/allocation?level=district').expect(200)).body;
    expect(district.rows).toHaveLength(1);
    expect(district.rows[0]).toMatchObject({ code: CITY.district, need: 4, fullTimeAssigned: 5, gap: 1, shortage: 2, surplus: 3 });
    expect(district.totals).toMatchObject({
      grids: 7,
      floating: 1011,
      rentalHouses: 58,
      rentalBuildings: 52,
      population: 1112,
      need: 4,
      fullTimeAssigned: 5,
      partTimeAssigned: 1,
      gap: 1,
      shortage: 2,
      surplus: 3,
    });
  });

  it('sorts by gap (shortest first, ties by code) and pages', async () => {
    const planner = await agentFor('planner');
    const sorted = (await planner.get('/api/collectors/allocation?sort=gap').expect(200)).body;
    expect(sorted.rows.map((row: Row) => row.code)).toEqual([CITY.B1, CITY.Z1, CITY.E, CITY.Z2, CITY.R1, CITY.B2, CITY.W]);
    const reversed = (await planner.get('/api/collectors/allocation?sort=-gap&limit=2').expect(200)).body;
    expect(reversed.rows.map((row: Row) => row.code)).toEqual([CITY.W, CITY.B2]);
    expect(reversed.total).toBe(7);
    expect(reversed.communities.map((community: { code: string }) => community.code)).toEqual([CITY.communityA, CITY.communityB]);
    const page = (await planner.get('/api/collectors/allocation?sort=gap&limit=2&offset=2').expect(200)).body;
    expect(page.rows.map((row: Row) => row.code)).toEqual([CITY.E, CITY.Z2]);
  });
});

describe('the staffing table sorts by every column', () => {
  it('orders rows by each column both ways (ties by code), and names the field for an unknown sort', async () => {
    const planner = await agentFor('planner');
    for (const column of ['code', 'floating', 'rentalHouses', 'need', 'fullTimeAssigned', 'gap'] as const) {
      for (const descending of [false, true]) {
        const { body } = await planner.get(`/api/collectors/allocation?level=grid&sort=${descending ? '-' : ''}${column}`).expect(200);
        const rows: Row[] = body.rows;
        const value = (row: Row) => row[column] as string | number;
        const expected = [...rows].sort((a, b) => {
          const order = column === 'code' ? a.code.localeCompare(b.code) : (value(a) as number) - (value(b) as number);
          return (descending ? -order : order) || a.code.localeCompare(b.code);
        });
        expect(
          rows.map((row) => row.code),
          `${descending ? '-' : ''}${column}`,
        ).toEqual(expected.map((row) => row.code));
        expect(new Set(rows.map(value)).size, `${column} is not the same in every grid`).toBeGreaterThan(1);
      }
    }
    const response = await planner.get('/api/collectors/allocation?sort=population').expect(400);
    expect(response.body.error.details.fields[0].field).toBe('sort');
  });
});

describe('part-time collectors named by employers (200 floating staff)', () => {
  it('counts an employer’s floating staff city-wide (names trimmed) and reports it where most of them live', async () => {
    const { body } = await (await agentFor('planner')).get('/api/collectors/employers').expect(200);
    // 150 in W + 50 in B1 (written " 华星电子厂 ") = 200; 小店 has 199 and is below the threshold.
    expect(body.employers).toEqual([
      { employer: CITY.employerX, floatingStaff: 200, homeCommunityCode: CITY.communityA, namedPartTime: 1, threshold: 200, required: 1, gap: 0 },
    ]);
    const communities = byCode((await (await agentFor('planner')).get('/api/collectors/allocation?level=community').expect(200)).body.rows);
    expect(communities[CITY.communityA]).toMatchObject({ partTimeRequired: 1, partTimeNamed: 1 });
  });

  it('with the threshold at 199 (what-if), 小店 must name one too and has not', async () => {
    const { body } = await (await agentFor('planner')).get('/api/collectors/employers?employerFloatingStaffForPartTime=199').expect(200);
    expect(body.whatIf).toBe(true);
    expect(
      body.employers.map((employer: { employer: string; required: number; gap: number; homeCommunityCode: string }) => [
        employer.employer,
        employer.required,
        employer.gap,
        employer.homeCommunityCode,
      ]),
    ).toEqual([
      [CITY.employerX, 1, 0, CITY.communityA],
      [CITY.employerSmall, 1, -1, CITY.communityB],
    ]);
  });
});

describe('what-if: ratios as query parameters, recomputed at once, nothing saved', () => {
  it('600:1 on the whole real population of each community, the small-community minimum a floor', async () => {
    const { body } = await (await agentFor('planner')).get('/api/collectors/allocation?mode=population&sort=code').expect(200);
    expect(body.whatIf).toBe(true);
    const rows = byCode(body.rows);
    // A: ceil(601/600) = 2, all in W (population 601 of 601); B: ceil(501/600) = 1 → B1; R: ceil(10/600) = 1; Z: 0, floor 1 → Z1.
    expect(rows[CITY.W]!.steps).toMatchObject({
      mode: 'population',
      communityNeed: 2,
      communityDecidedBy: 'population',
      basis: 'population',
      count: 601,
      basisTotal: 601,
      need: 2,
    });
    expect([CITY.W, CITY.E, CITY.B1, CITY.B2, CITY.Z1, CITY.Z2, CITY.R1].map((code) => rows[code]!.need)).toEqual([2, 0, 1, 0, 1, 0, 1]);
    expect(body.totals).toMatchObject({ need: 5, fullTimeAssigned: 5, gap: 0, shortage: 2, surplus: 2 });
    const communities = byCode(
      (await (await agentFor('planner')).get('/api/collectors/allocation?mode=population&level=community&sort=code').expect(200)).body.rows,
    );
    expect(communities[CITY.communityA]!.communitySteps).toMatchObject({
      ratios: [{ rule: 'population', count: 601, perCollector: 600, quotient: 1.0017, need: 2 }],
      ratioNeed: 2,
      smallCommunity: { isSmallCommunity: true, kind: 'at_least', applied: false },
      need: 2,
      decidedBy: 'population',
    });
  });

  it('400 floating people per collector (small-community rule off)', async () => {
    const { body } = await (await agentFor('planner'))
      .get('/api/collectors/allocation?floatingPerCollector=400&smallCommunityFloatingBelow=0&sort=code')
      .expect(200);
    const rows = byCode(body.rows);
    // A ceil(500/400)=2 → W; B ceil(501/400)=2 → B1; R max(ceil(10/400)=1, ceil(52/50)=2)=2 → R1; Z 0.
    expect([CITY.W, CITY.E, CITY.B1, CITY.B2, CITY.Z1, CITY.Z2, CITY.R1].map((code) => rows[code]!.need)).toEqual([2, 0, 2, 0, 0, 0, 2]);
    expect(body.totals).toMatchObject({ need: 6, gap: -1 });
    expect(body.settings.floatingPerCollector).toBe(400);
    expect(body.savedSettings.floatingPerCollector).toBe(500);
  });

  it('a small-community number of two gives every community (all under 1000 floating people) exactly two', async () => {
    const { body } = await (await agentFor('planner')).get('/api/collectors/allocation?smallCommunityMinimum=2&sort=code').expect(200);
    const rows = byCode(body.rows);
    expect(rows[CITY.W]).toMatchObject({ need: 2, steps: { communityNeed: 2, communityDecidedBy: 'community_minimum' } });
    expect([CITY.W, CITY.E, CITY.B1, CITY.B2, CITY.Z1, CITY.Z2, CITY.R1].map((code) => rows[code]!.need)).toEqual([2, 0, 2, 0, 1, 1, 2]);
    expect(body.totals.need).toBe(8);
  });

  it('rejects a bad or unknown parameter naming it, and saves nothing', async () => {
    const planner = await agentFor('planner');
    const zero = await planner.get('/api/collectors/allocation?floatingPerCollector=0').expect(400);
    expect(zero.body.error.details.fields[0].field).toBe('floatingPerCollector');
    const typo = await planner.get('/api/collectors/allocation?floatingPercollector=400').expect(400);
    expect(typo.body.error.message).toMatch(/floatingPercollector/);
    const within = await planner.get('/api/collectors/allocation?within=4403').expect(400);
    expect(within.body.error.details.fields[0].field).toBe('within');
    const saved = await planner.get('/api/collectors/settings').expect(200);
    const defaults = {
      mode: 'floating_or_rental',
      floatingPerCollector: 500,
      rentalHousesPerCollector: 50,
      populationPerCollector: 600,
      smallCommunityFloatingBelow: 1000,
      smallCommunityMinimum: 1,
      employerFloatingStaffForPartTime: 200,
    };
    expect(saved.body).toEqual({ settings: defaults, defaults });
  });
});

describe('shortage map data', () => {
  it('gives every grid its gap and a symmetric scale for a diverging colour map', async () => {
    const { body } = await (await agentFor('leader')).get('/api/collectors/shortage').expect(200);
    expect(body.scale).toEqual({ maxShortage: 1, maxSurplus: 2, maxAbsGap: 2 });
    expect(body.areas).toContainEqual({ code: CITY.B1, need: 1, assigned: 0, gap: -1 });
    expect(body.areas).toHaveLength(7);
    const streets = (await (await agentFor('leader')).get('/api/collectors/shortage?level=street').expect(200)).body;
    expect(streets.areas).toEqual([
      { code: CITY.street1, need: 3, assigned: 4, gap: 1 },
      { code: CITY.street2, need: 1, assigned: 1, gap: 0 },
    ]);
  });
});

describe('rebalancing proposal', () => {
  // Gaps in a row W +2 | E 0 | B1 −1 | B2 +1 | Z1 −1 | Z2 0 | R1 0: shortage 2, surplus 3 (needs per community, see the top).
  it('next door only (reach 1, or its old name adjacent): B2’s spare collector goes to B1 (same community) rather than Z1', async () => {
    for (const reach of ['1', 'adjacent']) {
      const { body } = await (await agentFor('planner')).get(`/api/collectors/rebalance?reach=${reach}`).expect(200);
      expect(body.reach).toBe(1);
      expect(body.summary).toEqual({
        shortageBefore: 2,
        shortageAfter: 1,
        shortageRemoved: 1,
        surplusBefore: 3,
        moves: 1,
        totalHops: 1,
        nonAdjacentMoves: 0,
        crossCommunityMoves: 0,
      });
      expect(body.moves).toEqual([
        {
          step: 1,
          from: { code: CITY.B2, name: '乙二', centroid: [114.235, 22.705], gapBefore: 1, gapAfter: 0 },
          to: { code: CITY.B1, name: '乙一', centroid: [114.225, 22.705], gapBefore: -1, gapAfter: 0 },
          hops: 1,
          adjacent: true,
          sameCommunity: true,
          collector: { id: expect.any(Number), name: '乙专职' },
        },
      ]);
    }
  });

  it('within 3 hops (the default): direct moves, none relayed through the balanced grid E; W fills B1, B2 fills Z1 (Z1 is 4 hops from W)', async () => {
    const { body } = await (await agentFor('planner')).get('/api/collectors/rebalance').expect(200);
    expect(body.reach).toBe(3);
    expect(body.summary).toEqual({
      shortageBefore: 2,
      shortageAfter: 0,
      shortageRemoved: 2,
      surplusBefore: 3,
      moves: 2,
      totalHops: 3,
      nonAdjacentMoves: 1,
      crossCommunityMoves: 2,
    });
    expect(
      body.moves.map(
        (move: { from: { code: string; gapBefore: number; gapAfter: number }; to: { code: string; gapBefore: number; gapAfter: number }; hops: number }) => [
          move.from.code,
          move.to.code,
          move.from.gapBefore,
          move.from.gapAfter,
          move.to.gapBefore,
          move.to.gapAfter,
          move.hops,
        ],
      ),
    ).toEqual([
      [CITY.W, CITY.B1, 2, 1, -1, 0, 2],
      [CITY.B2, CITY.Z1, 1, 0, -1, 0, 1],
    ]);
    expect(['王一', '王二', '王三']).toContain(body.moves[0].collector.name);
  });

  it('recomputes with what-if ratios: at 600:1 W’s spare collector goes to B1 and B2’s to Z1, removing the whole shortage', async () => {
    // Population mode: gaps W +1, B1 −1, B2 +1, Z1 −1, R1 0. Z1 is 4 hops from W, so W serves B1.
    const { body } = await (await agentFor('planner')).get('/api/collectors/rebalance?mode=population').expect(200);
    expect(body.whatIf).toBe(true);
    expect(body.moves.map((move: { from: { code: string }; to: { code: string } }) => [move.from.code, move.to.code])).toEqual([
      [CITY.W, CITY.B1],
      [CITY.B2, CITY.Z1],
    ]);
    expect(body.summary).toMatchObject({ shortageBefore: 2, shortageAfter: 0, moves: 2 });
  });

  it('proposes nothing when no grid has a collector to spare, and says there is no surplus', async () => {
    // Community A alone at 1 floating person per collector: W needs 500 and has 3, E needs and has none.
    const { body } = await (await agentFor('planner'))
      .get(`/api/collectors/rebalance?within=${CITY.communityA}&floatingPerCollector=1&smallCommunityFloatingBelow=0`)
      .expect(200);
    expect(body.moves).toEqual([]);
    expect(body.summary).toMatchObject({ moves: 0, surplusBefore: 0, shortageRemoved: 0 });
    expect(body.summary.shortageAfter).toBe(body.summary.shortageBefore);
  });

  it('rejects an unknown reach, or one out of range, naming the field', async () => {
    for (const reach of ['city', '0', '11', '2.5']) {
      const response = await (await agentFor('planner')).get(`/api/collectors/rebalance?reach=${reach}`).expect(400);
      expect(response.body.error.details.fields[0].field).toBe('reach');
      expect(response.body.error.details.fields[0].message).toMatch(/reach must be a whole number of hops from 1 to 10/);
    }
  });
});

describe('export of the plan', () => {
  it('CSV: attachment, UTF-8 BOM, Chinese headers, one row per move', async () => {
    const response = await (await agentFor('planner')).get('/api/collectors/plan.csv?reach=3').responseType('blob').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="collector-moves-all-\d{4}-\d{2}-\d{2}\.csv"$/);
    const bytes: Buffer = response.body;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes
      .subarray(3)
      .toString('utf8')
      .trimEnd()
      .split('\r\n')
      .map((line) => line.split(','));
    expect(lines[0]!.slice(0, 3)).toEqual(['步骤', '调出网格编码', '调出网格']);
    expect(lines).toHaveLength(3);
    expect(lines[2]!.slice(0, 3)).toEqual(['2', CITY.B2, '乙二']);
    expect(lines[2]!.slice(5, 7)).toEqual([CITY.Z1, '零一']);
    expect(lines[0]!.slice(10)).toEqual([
      '相距网格跳数',
      '相邻网格',
      '同一社区',
      '调出网格调整前缺口',
      '调出网格调整后缺口',
      '调入网格调整前缺口',
      '调入网格调整后缺口',
    ]);
    expect(lines[2]!.slice(10)).toEqual(['1', '是', '否', '1', '0', '-1', '0']);
  });

  it('CSV of the per-grid allocation', async () => {
    const response = await (await agentFor('planner')).get(`/api/collectors/plan.csv?table=grids&within=${CITY.street2}`).responseType('blob').expect(200);
    expect(response.headers['content-disposition']).toContain(`collector-grids-${CITY.street2}-`);
    const lines = (response.body as Buffer)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines).toHaveLength(2);
    // Counts (floating, rental houses, rental buildings, population), then the share: community need 1 (small community),
    // shared by rental houses 52 of 52 → quota 1, floor 1, remainder 0, no extra; need 1, 1 full-time, 1 part-time, gap 0.
    expect(lines[1]).toBe(`${CITY.R1},租一,${CITY.communityR},10,52,51,10,1,小社区配备,出租房屋,52,52,1,1,0,0,1,1,1,0`);
  });

  it('XLSX: the moves, the grid table and the settings read back from the workbook', async () => {
    const response = await (await agentFor('planner')).get('/api/collectors/plan.xlsx?reach=3').responseType('blob').expect(200);
    expect(response.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="collector-plan-all-.*\.xlsx"$/);
    const workbook = readXlsx(response.body);
    expect(Object.keys(workbook)).toEqual(['调配方案', '社区测算', '网格配置', '用工单位兼职', '配备参数']);
    const moves = workbook['调配方案']!;
    expect(moves).toHaveLength(3);
    expect(moves[1]!.slice(0, 6)).toEqual(['1', CITY.W, '西网格', '114.205', '22.705', CITY.B1]);
    expect(moves[2]!.slice(10)).toEqual(['1', '是', '否', '1', '0', '-1', '0']);
    const grids = workbook['网格配置']!;
    expect(grids).toHaveLength(8);
    // Z1: community need 1, equal shares of 2 grids → quota 0.5, floor 0, remainder 0.5, the extra one (lower code), need 1.
    expect(grids.find((row) => row[0] === CITY.Z1)!.slice(7, 17)).toEqual(['1', '小社区配备', '平均', '1', '2', '0.5', '0', '0.5', '1', '1']);
    const communities = workbook['社区测算']!;
    expect(communities).toHaveLength(5);
    expect(communities.find((row) => row[0] === CITY.communityR)).toEqual([
      CITY.communityR,
      '1',
      '10',
      '52',
      '51',
      '10',
      '1',
      '2',
      '',
      '2',
      '1000',
      '是',
      '恰好 1',
      '1',
      '小社区配备',
      '出租房屋',
    ]);
    expect(workbook['用工单位兼职']).toEqual([
      ['用工单位', '流动人员', '主要居住社区', '须确定兼职协管员', '已确定', '缺口(负数为缺)'],
      [CITY.employerX, '200', CITY.communityA, '1', '1', '0'],
    ]);
    expect(workbook['配备参数']!.find((row) => row[0] === '每名专职协管员对应流动人口')).toEqual(['每名专职协管员对应流动人口', '500']);
  });

  it('records each export in the audit log', async () => {
    const rows = await t.handle.db.selectFrom('audit_log').select(['action', 'target_type', 'details']).where('action', '=', 'export').execute();
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.every((row) => row.target_type === 'collector_plan')).toBe(true);
  });
});

describe('settings (admin only)', () => {
  const settings = {
    mode: 'floating_or_rental',
    floatingPerCollector: 400,
    rentalHousesPerCollector: 50,
    populationPerCollector: 600,
    smallCommunityFloatingBelow: 1000,
    smallCommunityMinimum: 1,
    employerFloatingStaffForPartTime: 200,
  };

  it('refuses planners, and bad bodies naming the field, changing nothing', async () => {
    await (await agentFor('planner')).put('/api/collectors/settings', settings).expect(403);
    const admin = await agentFor('admin');
    const negative = await admin.put('/api/collectors/settings', { ...settings, rentalHousesPerCollector: -5 }).expect(400);
    expect(negative.body.error.details.fields[0].field).toBe('rentalHousesPerCollector');
    const { mode: _mode, ...withoutMode } = settings;
    const missing = await admin.put('/api/collectors/settings', withoutMode).expect(400);
    expect(missing.body.error.details.fields[0].field).toBe('mode');
    await admin.put('/api/collectors/settings', { ...settings, extra: 1 }).expect(400);
    expect((await admin.get('/api/collectors/settings').expect(200)).body.settings.floatingPerCollector).toBe(500);
  });

  it('an admin saves new ratios; the allocation uses them; the change is audited', async () => {
    const admin = await agentFor('admin');
    expect((await admin.put('/api/collectors/settings', settings).expect(200)).body.settings).toEqual(settings);
    const { body } = await (await agentFor('planner')).get('/api/collectors/allocation?level=district').expect(200);
    expect(body.whatIf).toBe(false);
    // Every community has fewer than 1000 floating people: exactly one each, whatever the floating ratio.
    expect(body.totals.need).toBe(4);
    const audit = await t.handle.db.selectFrom('audit_log').select(['details']).where('action', '=', 'update').where('target_type', '=', 'setting').execute();
    expect(audit.at(-1)!.details).toMatchObject({ before: { floatingPerCollector: 500 }, after: { floatingPerCollector: 400 } });
    // With the small-community threshold saved at 0 the 400:1 ratio decides: A 2, B 2, Z 0, R 2.
    await admin.put('/api/collectors/settings', { ...settings, smallCommunityFloatingBelow: 0 }).expect(200);
    expect((await (await agentFor('planner')).get('/api/collectors/allocation?level=district').expect(200)).body.totals.need).toBe(6);
    await admin.put('/api/collectors/settings', { ...settings, floatingPerCollector: 500, smallCommunityFloatingBelow: 1000 }).expect(200);
  });
});

describe('public card of an area', () => {
  it('lists the names, photos and grids of the collectors serving a grid, without login and nothing else', async () => {
    const response = await request(t.app).get(`/api/collectors/public/${CITY.W}`).expect(200);
    expect(response.body.area).toEqual({ code: CITY.W, level: 'grid', name: '西网格' });
    expect(response.body.collectors.map((collector: { name: string }) => collector.name).sort()).toEqual(['王一', '王三', '王二']);
    for (const collector of response.body.collectors) {
      expect(Object.keys(collector).sort()).toEqual(['area', 'name', 'photoUrl']);
      expect(collector.area).toEqual({ code: CITY.W, name: '西网格' });
    }
    expect(JSON.stringify(response.body)).not.toContain('13800000000');
  });

  it('a community card covers its grids; inactive and ended collectors are not shown; part-timers are', async () => {
    const community = await request(t.app).get(`/api/collectors/public/${CITY.communityB}`).expect(200);
    expect(community.body.collectors).toEqual([
      { name: '乙专职', photoUrl: `/photos/${encodeURIComponent('乙专职')}.jpg`, area: { code: CITY.B2, name: '乙二' } },
    ]);
    const rental = await request(t.app).get(`/api/collectors/public/${CITY.R1}`).expect(200);
    expect(rental.body.collectors.map((collector: { name: string }) => collector.name).sort()).toEqual(['厂兼职', '租专职'].sort());
    expect((await request(t.app).get(`/api/collectors/public/${CITY.Z1}`).expect(200)).body.collectors).toEqual([]);
  });

  it('answers 400 for a malformed code and 404 for an unknown area', async () => {
    const bad = await request(t.app).get('/api/collectors/public/440307').expect(400);
    expect(bad.body.error.details.fields[0].field).toBe('areaCode');
    await request(t.app).get('/api/collectors/public/44030700100999').expect(404);
  });
});

describe('who may plan', () => {
  const planningUrls = [
    '/api/collectors/settings',
    '/api/collectors/allocation',
    '/api/collectors/shortage',
    '/api/collectors/employers',
    '/api/collectors/rebalance',
    '/api/collectors/plan.csv',
    '/api/collectors/plan.xlsx',
  ];

  it.each(['police', 'collector', 'auditor'])('%s gets 403 on every planning endpoint', async (role) => {
    const agent = await agentFor(role);
    for (const url of planningUrls) await agent.get(url).expect(403);
    await agent.get('/api/collectors').expect(403);
  });

  it('a leader reads the figures but not the roster; nobody anonymous gets in', async () => {
    const leader = await agentFor('leader');
    await leader.get('/api/collectors/allocation?level=district').expect(200);
    await leader.get('/api/collectors/rebalance').expect(200);
    await leader.get('/api/collectors').expect(403);
    for (const url of planningUrls) await request(t.app).get(url).expect(401);
  });
});

describe('grid adjacency (shared boundary) behind the rebalancing', () => {
  it('pairs grids sharing an edge, not a corner, and is recomputed after grids change', async () => {
    const pairs = async () =>
      (await sql<{ pair: string }>`SELECT grid_code || '|' || neighbour_code AS pair FROM collector_grid_adjacency ORDER BY 1`.execute(t.handle.db)).rows.map(
        (row) => row.pair,
      );
    const row = [CITY.W, CITY.E, CITY.B1, CITY.B2, CITY.Z1, CITY.Z2, CITY.R1];
    await (await agentFor('planner')).get('/api/collectors/rebalance').expect(200);
    expect(await pairs()).toEqual(row.slice(1).map((code, index) => `${row[index]}|${code}`));
    // A grid north-east of R1 touches it at one corner point only.
    const cornerOnly = '44030700200102';
    await editShapesByHand(
      t.handle.db,
      sql`INSERT INTO grids (code, community_code, name, geom, area_km2) VALUES (${cornerOnly}, ${CITY.communityR}, '租二',
      ST_GeomFromText('MULTIPOLYGON(((114.27 22.71,114.28 22.71,114.28 22.72,114.27 22.72,114.27 22.71)))', 4326), 1.1)`,
    );
    await (await agentFor('planner')).get('/api/collectors/rebalance').expect(200);
    expect(await pairs()).toEqual(row.slice(1).map((code, index) => `${row[index]}|${code}`));
    // Moved one row down, it shares R1's east edge.
    await editShapesByHand(t.handle.db, sql`UPDATE grids SET geom = ST_Translate(geom, 0, -0.01) WHERE code = ${cornerOnly}`);
    await (await agentFor('planner')).get('/api/collectors/rebalance').expect(200);
    expect(await pairs()).toContain(`${CITY.R1}|${cornerOnly}`);
  });
});

/** A minimal XLSX reader (zip central directory + sheet XML), enough to read back what we wrote. */
function readXlsx(file: Buffer): Record<string, string[][]> {
  const entries = unzip(file);
  const text = (name: string) => entries.get(name)?.toString('utf8') ?? '';
  const decode = (xml: string) =>
    xml
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&');
  const shared = [...text('xl/sharedStrings.xml').matchAll(/<si>([\s\S]*?)<\/si>/g)].map((match) =>
    decode([...match[1]!.matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((t) => t[1]).join('')),
  );
  const attribute = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1] ?? '';
  const relations = new Map(
    [...text('xl/_rels/workbook.xml.rels').matchAll(/<Relationship [^>]*>/g)].map((match) => [attribute(match[0], 'Id'), attribute(match[0], 'Target')]),
  );
  const workbook: Record<string, string[][]> = {};
  for (const [tag] of text('xl/workbook.xml').matchAll(/<sheet [^>]*>/g)) {
    const target = relations.get(attribute(tag, 'r:id'))!.replace(/^\/?(xl\/)?/, '');
    const rows = [...text(`xl/${target}`).matchAll(/<row[^>]*>([\s\S]*?)<\/row>/g)].map((row) => {
      const cells: string[] = [];
      for (const cell of row[1]!.matchAll(/<c ([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
        // Empty cells are left out of the file: place each by its reference (A1, B1, …).
        const column = [...attribute(` ${cell[1]!}`, 'r').replace(/\d+$/, '')].reduce((index, letter) => index * 26 + letter.charCodeAt(0) - 64, 0) - 1;
        const value = /<v>([\s\S]*?)<\/v>/.exec(cell[2] ?? '')?.[1] ?? /<t[^>]*>([\s\S]*?)<\/t>/.exec(cell[2] ?? '')?.[1] ?? '';
        while (cells.length < column) cells.push('');
        cells[column] = attribute(` ${cell[1]!}`, 't') === 's' ? shared[Number(value)]! : decode(value);
      }
      return cells;
    });
    workbook[decode(attribute(tag, 'name'))] = rows;
  }
  return workbook;
}

function unzip(file: Buffer): Map<string, Buffer> {
  const end = file.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = file.readUInt16LE(end + 10);
  let at = file.readUInt32LE(end + 16);
  const entries = new Map<string, Buffer>();
  for (let index = 0; index < count; index += 1) {
    const method = file.readUInt16LE(at + 10);
    const compressedSize = file.readUInt32LE(at + 20);
    const nameLength = file.readUInt16LE(at + 28);
    const extraLength = file.readUInt16LE(at + 30);
    const commentLength = file.readUInt16LE(at + 32);
    const localHeader = file.readUInt32LE(at + 42);
    const name = file.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const dataStart = localHeader + 30 + file.readUInt16LE(localHeader + 26) + file.readUInt16LE(localHeader + 28);
    const data = file.subarray(dataStart, dataStart + compressedSize);
    entries.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
