/** The health probe a load balancer polls: it must stay cheap however large the city is. */
import { percentiles, underLoad, unexpectedStatuses, type ApiSession } from './client.ts';
import { latencyFigure, type Figure } from './figures.ts';

export async function measureHealth(session: ApiSession, requests: number, concurrency: number): Promise<Figure> {
  await session.get('/api/health');
  const load = await underLoad(requests, concurrency, () => session.get('/api/health'));
  const failures = unexpectedStatuses(load.results, [200]);
  if (Object.keys(failures).length > 0) throw new Error(`health requests failed: ${JSON.stringify(failures)}`);
  return latencyFigure('health', `GET /api/health, ${concurrency} concurrent`, percentiles(load.results.map((result) => result.ms)), 50, { concurrency });
}
