/** A police officer drilling into one building: floors → units → current occupants (audited). */
import { percentiles, underLoad, unexpectedStatuses, type ApiSession } from './client.ts';
import { latencyFigure, type Figure } from './figures.ts';
import { query } from './target.ts';

export async function measureDrilldown(police: ApiSession, databaseUrl: string, requests: number, concurrency: number): Promise<Figure> {
  // A fixed sample spread over the whole city (the same buildings on every run of one city).
  const buildings = (
    await query<{ code: string }>(databaseUrl, `SELECT code FROM buildings WHERE status = 'active' ORDER BY md5(code) LIMIT $1`, [requests])
  ).map((row) => row.code);
  if (buildings.length === 0) throw new Error('no active buildings to drill into');
  const path = (code: string) => `/api/drilldown/buildings/${code}?purpose=${encodeURIComponent('性能基准测试')}`;
  await police.get(path(buildings[0]!));
  const load = await underLoad(requests, concurrency, (index) => police.get(path(buildings[index % buildings.length]!)));
  const failures = unexpectedStatuses(load.results, [200]);
  if (Object.keys(failures).length > 0) throw new Error(`drill-down requests failed: ${JSON.stringify(failures)}`);
  return latencyFigure(
    'drilldown',
    `drill-down of one building (police), ${concurrency} concurrent`,
    percentiles(load.results.map((result) => result.ms)),
    10,
    { concurrency, buildings: buildings.length, meanBytes: Math.round(load.results.reduce((sum, result) => sum + result.bytes, 0) / load.results.length) },
  );
}
