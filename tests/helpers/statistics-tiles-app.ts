import { shapePyramidOf, type ShapePyramid } from '../../server/tiles/shape-pyramid.ts';
import { statisticsTilesOf, type StatisticsTiles } from '../../server/tiles/statistics-tiles.ts';
import { startTestApp, type TestApp, type TestAppOptions } from './app.ts';
import { FIXTURE, fixtureUnitCode, insertFixtureCity } from './fixture-city.ts';
import { insertResidents } from './tiles-ogc-fixtures.ts';

export interface StatisticsTilesApp {
  t: TestApp;
  pyramid: ShapePyramid;
  statistics: StatisticsTiles;
  stop(): Promise<void>;
}

/**
 * The app of the statistics tiles tests: the fixture city with 5 residents in the west grid and 4
 * in the east (withheld below k = 5 until a fifth moves in), the shape pyramid built and the
 * city's counts read, both watched as main.ts watches them.
 */
export async function startStatisticsTilesApp(options: TestAppOptions = {}): Promise<StatisticsTilesApp> {
  const t = await startTestApp({ WARM_KEPT_ANSWERS: 'on' }, options);
  await insertFixtureCity(t.handle.db);
  await insertResidents(t.handle.db, fixtureUnitCode(FIXTURE.westHouse, 1, 1), 5, 1);
  await insertResidents(t.handle.db, fixtureUnitCode(FIXTURE.eastHouse, 1, 1), 4, 11);
  const pyramid = shapePyramidOf(t.context.db);
  pyramid.watch(t.context);
  await pyramid.built();
  const statistics = statisticsTilesOf(t.context.db);
  statistics.watch();
  await statistics.counted();
  return {
    t,
    pyramid,
    statistics,
    async stop() {
      pyramid.stop();
      statistics.stop();
      await t.close();
    },
  };
}
