import { createApp, ensureDashboardBuilt } from './app.ts';
import { startAuditCheckpoints } from './audit/checkpoints.ts';
import { startAuditSequencer } from './audit/sequencer.ts';
import { demoPassword } from './auth/passwords.ts';
import { bootDatabase } from './boot.ts';
import { warmKeptFigures } from './heatmaps/routes.ts';
import { forgetChangedDaysRegularly, monthEndStoreOf } from './heatmaps/month-ends.ts';
import { readConfig } from './config.ts';
import { seedDemoCityIfEmpty } from './demo/seed.ts';
import { shapePyramidOf } from './tiles/shape-pyramid.ts';
import { statisticsTilesOf } from './tiles/statistics-tiles.ts';
import { buildingTilesOf } from './tiles/building-tiles.ts';
import { logger } from './logger.ts';
import { announced } from './progress.ts';

async function main() {
  const config = readConfig();
  const started = Date.now();
  // Opening and migrating the embedded database takes seconds on a first start: say so.
  const { handle, context, owner } = await announced('opening and migrating the database', () => bootDatabase(config));
  // Generating the demo city needs the owner (it sets triggers aside); the server's role cannot.
  const seeded = await seedDemoCityIfEmpty(owner?.context ?? context, owner?.handle ?? handle).finally(() => owner?.handle.close());
  await handle.openConnections();
  const sequencer = startAuditSequencer(context.db, config);
  const checkpoints = startAuditCheckpoints(context.db, config);
  await ensureDashboardBuilt();
  const app = createApp(context);
  warmKeptFigures(context).catch((error: unknown) => {
    // Only a head start: maps are computed from the tables until the figures are kept.
    logger.warn('kept figures not computed at start-up', { error: error instanceof Error ? error.message : String(error) });
  });
  const changedDays = forgetChangedDaysRegularly(
    context.db,
    monthEndStoreOf(context.db, (message, fields) => logger.info(message, fields)),
  );
  // The whole city's grid and area tiles, rendered ahead in the background once per version of the
  // shapes, and every grid's counts kept for the latest data version (the statistics tiles' values).
  if (config.warmKeptAnswers) {
    shapePyramidOf(context.db).watch(context);
    statisticsTilesOf(context.db).watch();
    // The building tiles after the grid and area tiles: the map's first views need those first.
    void shapePyramidOf(context.db)
      .built()
      .then(() => buildingTilesOf(context.db).watch(context));
  }
  const server = app.listen(config.port, config.host, () => {
    const url = `http://localhost:${config.port}/`;
    const demoLines = seeded.demoUsers.map((username) => `    ${username.padEnd(10)} ${demoPassword(username)}`);
    process.stdout.write(
      [
        '',
        `  renwu 人屋 is running at ${url}  (${handle.engine}, PostGIS ${context.capabilities.postgisVersion}, ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
        ...(demoLines.length ? ['  Demo users (username / password):', ...demoLines] : []),
        '',
      ].join('\n') + '\n',
    );
  });
  const shutDown = () => {
    server.close();
    // Link what is left first, so the last checkpoint records it.
    void sequencer
      .stop()
      .finally(() => checkpoints.stop())
      .finally(() => shapePyramidOf(context.db).stop())
      .finally(() => buildingTilesOf(context.db).stop())
      .finally(() => changedDays.stop())
      .finally(() => handle.close())
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', shutDown);
  process.on('SIGTERM', shutDown);
}

main().catch((error: unknown) => {
  logger.error('start-up failed', { error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
