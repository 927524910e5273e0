import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import type { DatabaseHandle } from '../db/connection.ts';
import { demoUsersFor, insertDemoUsers } from '../auth/demo-users.ts';
import { chinaToday } from '../domain/calendar.ts';
import { logger } from '../logger.ts';
import { seedDemoRentals } from '../rentals/service.ts';
import { generateCity, type CityOptions } from './city/index.ts';
import { renderProgress } from '../progress.ts';

/**
 * On first start (no buildings yet) generate the deterministic demo city and its users.
 * Never in production: there a city is imported, and demo passwords are refused anyway.
 */
export async function seedDemoCityIfEmpty(context: AppContext, handle: DatabaseHandle): Promise<{ demoUsers: string[] }> {
  const existing = await sql<{ any: boolean }>`SELECT EXISTS (SELECT 1 FROM buildings) AS any`.execute(context.db);
  const demoUsers = async () =>
    (await context.db.selectFrom('users').select('username').where('is_demo', '=', true).orderBy('id').execute()).map((row) => row.username);
  if (existing.rows[0]?.any || context.config.production) return { demoUsers: context.config.production ? [] : await demoUsers() };
  const started = Date.now();
  logger.info('generating the demo city (first run only)', { seed: context.config.demoSeed, scale: context.config.demoScale });
  const summary = await generateCity(handle, { seed: context.config.demoSeed, scale: parseScale(context.config.demoScale), onProgress: renderProgress });
  await insertDemoUsers(context.db, await demoUsersFor(context.db, summary.districtCode));
  // Inspections, tenant flags and twelve months of rental tiers, so the tier layers are not empty.
  const rentals = await seedDemoRentals(context.db, chinaToday(), { pglite: handle.pglite });
  // The embedded engine has no autovacuum: without statistics the planner guesses badly.
  await sql`ANALYZE`.execute(context.db);
  logger.info('demo rentals scored', { ...rentals });
  logger.info('demo city ready', { seconds: (Date.now() - started) / 1000, ...summary });
  return { demoUsers: await demoUsers() };
}

function parseScale(scale: string): CityOptions['scale'] {
  if (scale === 'tiny' || scale === 'small' || scale === 'demo') return scale;
  const factor = Number(scale);
  if (!Number.isFinite(factor) || factor <= 0) throw new Error(`DEMO_SCALE must be tiny, small, demo or a positive number, got ${scale}`);
  return factor;
}
