import { route, type FeatureRoutes } from '../http/route-registry.ts';
import { COUNTED_TABLES, countCityRows, type CountedTable } from './repository.ts';
import { monthEndStoreOf, type MonthEndStore } from '../heatmaps/service.ts';
import { buildingTilesProgress, shapeTilesProgress } from '../tiles/service.ts';

/** Whether a server just started (or whose data just changed) has its slider figures ready: what a bench or an operator waits for. */
const keptFiguresState = (store: MonthEndStore) => (store.computing() ? 'computing' : store.keptVersion() === undefined ? 'none' : 'kept');

export const healthRoutes: FeatureRoutes = (context) => [
  route({
    method: 'get',
    path: '/health',
    access: 'public',
    summary: 'Liveness, database engine, PostGIS version and row counts (exact up to 10,000 rows, estimated above)',
    handler: async (_input, _request, response) => {
      const counted = await countCityRows(context.db);
      const counts = Object.fromEntries(COUNTED_TABLES.map((table) => [table, counted[table].rows])) as Record<CountedTable, number>;
      const estimatedCounts = COUNTED_TABLES.filter((table) => counted[table].precision === 'estimate');
      response.json({
        status: 'ok',
        database: {
          engine: context.engine,
          postgis: context.capabilities.postgisVersion,
          postgres: context.capabilities.postgresVersion,
          nativeVectorTiles: context.capabilities.nativeVectorTiles,
        },
        counts,
        // Which counts are the planner's estimates (large tables); exact counts belong to the KPIs.
        estimatedCounts,
        keptFigures: keptFiguresState(monthEndStoreOf(context.db)),
        keptTiles: shapeTilesProgress(context.db),
        keptBuildingTiles: buildingTilesProgress(context.db),
      });
    },
  }),
];
