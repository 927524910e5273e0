/**
 * Registration writes per second with concurrent clients: police officers registering new
 * people moving into units today (POST /api/registrations/move-in: person, residency, audit row
 * and the grid-statistics triggers, in one transaction each). Afterwards every acknowledged write
 * is looked for: the person, the current residency in the right unit, the audit row, and the
 * grid's count for today raised by exactly the number of people registered there.
 */
import { randomInt } from 'node:crypto';
import { withCheckCharacter } from '../../server/domain/id-number.ts';
import { addDays } from '../../server/domain/calendar.ts';
import { percentiles, underLoad, type ApiSession } from './client.ts';
import { latencyFigure, type Figure } from './figures.ts';
import { query } from './target.ts';

/** 北京市朝阳区: a division the generated city never uses, so new numbers cannot be residents already. */
const BENCH_DIVISION = '110105';
export const WRITE_TARGET_PER_SECOND = 2000;

interface Arrival {
  unitCode: string;
  gridCode: string;
  idNumber: string;
}

export interface WriteCheck {
  passed: boolean;
  acknowledged: number;
  refused: Record<string, number>;
  persons: number;
  currentResidenciesInTheirUnits: number;
  auditRows: number;
  gridCountsRaisedBy: number;
  gridsChecked: number;
  gridMismatches: string[];
}

export async function measureRegistrations(
  police: ApiSession,
  databaseUrl: string,
  today: string,
  writes: number,
  concurrency: number,
): Promise<{ figures: Figure[]; check: WriteCheck }> {
  const arrivals = await planArrivals(databaseUrl, writes);
  const grids = [...new Set(arrivals.map((arrival) => arrival.gridCode))];
  const before = await floatingToday(databaseUrl, grids, today);
  const load = await underLoad(arrivals.length, concurrency, (index) => {
    const arrival = arrivals[index]!;
    return police.post(
      '/api/registrations/move-in',
      {
        unitCode: arrival.unitCode,
        movedIn: today,
        person: { idType: 'id_card', idNumber: arrival.idNumber, name: `基准${index}`, category: 'floating', floatingType: 'single' },
      },
      true,
    );
  });
  const acknowledged = arrivals.filter((_, index) => load.results[index]!.status === 201);
  const refused: Record<string, number> = {};
  for (const result of load.results) if (result.status !== 201) refused[result.status] = (refused[result.status] ?? 0) + 1;
  const check = await verifyWrites(databaseUrl, acknowledged, refused, before, today);
  const perSecond = Math.round(acknowledged.length / load.seconds);
  return {
    figures: [
      {
        key: 'writes',
        label: `registrations (move-in), ${concurrency} concurrent clients`,
        unit: 'writes/s',
        value: perSecond,
        n: acknowledged.length,
        target: { text: `≥ ${WRITE_TARGET_PER_SECOND}/s, none lost`, met: perSecond >= WRITE_TARGET_PER_SECOND && check.passed },
        detail: { seconds: Math.round(load.seconds * 100) / 100, concurrency, refused },
      },
      latencyFigure('writes.latency', 'one registration, under that load', percentiles(load.results.map((result) => result.ms))),
    ],
    check,
  };
}

/** Units people live in, one per building of a spread-out sample, each with an unused ID number. */
async function planArrivals(databaseUrl: string, writes: number): Promise<Arrival[]> {
  const units = await query<{ code: string }>(
    databaseUrl,
    `
    SELECT DISTINCT ON (b.code) u.code
    FROM (SELECT code FROM buildings WHERE status = 'active' ORDER BY md5(code || 'bench') LIMIT $1) AS b
    JOIN units AS u ON u.building_code = b.code AND u.use IN ('rented', 'self_occupied', 'dormitory')
    ORDER BY b.code, md5(u.code)`,
    [writes],
  );
  if (units.length === 0) throw new Error('no occupied units to register people into');
  // Numbers drawn at random; any that an earlier bench run registered are replaced.
  const numbers = new Set<string>();
  for (let round = 0; numbers.size < writes && round < 10; round += 1) {
    const drawn = new Set<string>();
    while (numbers.size + drawn.size < writes) {
      const number = benchIdNumber();
      if (!numbers.has(number)) drawn.add(number);
    }
    const taken = new Set(
      (await query<{ id_number: string }>(databaseUrl, 'SELECT id_number FROM persons WHERE id_number = ANY ($1)', [[...drawn]])).map((row) => row.id_number),
    );
    for (const number of drawn) if (!taken.has(number)) numbers.add(number);
  }
  return [...numbers].map((idNumber, index) => {
    const unitCode = units[index % units.length]!.code;
    return { unitCode, gridCode: unitCode.slice(0, 14), idNumber };
  });
}

/** A valid ID number of someone born 1970–1999 in the bench's division. */
function benchIdNumber(): string {
  const birth = addDays('1970-01-01', randomInt(0, 365 * 30)).replaceAll('-', '');
  return withCheckCharacter(`${BENCH_DIVISION}${birth}${String(randomInt(0, 1000)).padStart(3, '0')}`);
}

async function floatingToday(databaseUrl: string, grids: string[], today: string): Promise<Map<string, number>> {
  const rows = await query<{ grid_code: string; floating: number }>(
    databaseUrl,
    'SELECT grid_code, floating FROM grid_population_daily WHERE day = $1::date AND grid_code = ANY ($2)',
    [today, grids],
  );
  return new Map(rows.map((row) => [row.grid_code, Number(row.floating)]));
}

async function verifyWrites(
  databaseUrl: string,
  acknowledged: Arrival[],
  refused: Record<string, number>,
  before: Map<string, number>,
  today: string,
): Promise<WriteCheck> {
  const numbers = acknowledged.map((arrival) => arrival.idNumber);
  const stored = await query<{ id: string; id_number: string; unit_code: string | null }>(
    databaseUrl,
    `
    SELECT p.id, p.id_number, r.unit_code
    FROM persons AS p LEFT JOIN residencies AS r ON r.person_id = p.id AND r.moved_out IS NULL
    WHERE p.id_number = ANY ($1)`,
    [numbers],
  );
  const unitOf = new Map(acknowledged.map((arrival) => [arrival.idNumber, arrival.unitCode]));
  const inTheirUnits = stored.filter((row) => row.unit_code === unitOf.get(row.id_number)).length;
  const audits = await query<{ n: string }>(
    databaseUrl,
    `SELECT count(*) AS n FROM audit_log WHERE action = 'move_in' AND target_type = 'person' AND target_id = ANY ($1)`,
    [stored.map((row) => String(row.id))],
  );
  const expected = new Map<string, number>();
  for (const arrival of acknowledged) expected.set(arrival.gridCode, (expected.get(arrival.gridCode) ?? 0) + 1);
  const after = await floatingToday(databaseUrl, [...expected.keys()], today);
  const gridMismatches = [...expected].filter(([grid, added]) => (after.get(grid) ?? 0) - (before.get(grid) ?? 0) !== added).map(([grid]) => grid);
  const raised = [...expected.keys()].reduce((sum, grid) => sum + (after.get(grid) ?? 0) - (before.get(grid) ?? 0), 0);
  const auditRows = Number(audits[0]?.n ?? 0);
  return {
    passed:
      acknowledged.length > 0 &&
      stored.length === acknowledged.length &&
      inTheirUnits === acknowledged.length &&
      auditRows === acknowledged.length &&
      gridMismatches.length === 0 &&
      !Object.keys(refused).some((status) => Number(status) >= 500),
    acknowledged: acknowledged.length,
    refused,
    persons: stored.length,
    currentResidenciesInTheirUnits: inTheirUnits,
    auditRows,
    gridCountsRaisedBy: raised,
    gridsChecked: expected.size,
    gridMismatches: gridMismatches.slice(0, 5),
  };
}
