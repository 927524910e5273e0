import type { Transaction } from 'kysely';
import { recordAudit } from '../audit/service.ts';
import type { DB } from '../db/schema.ts';
import { H3_RESOLUTION, SQUARE_METRES } from '../domain/hex.ts';
import {
  cellsQuery,
  FIRST_MAP_LEVELS,
  FIRST_JURISDICTIONS_BUILT_AHEAD,
  firstMapOf,
  heatmapParams,
  heatmapQuery,
  heatmapRequest,
  LEVELS,
  refreshBody,
  type AreaMapRequest,
} from './request.ts';
import { route, type FeatureRoutes } from '../http/route-registry.ts';
import { ANALYTICS_READERS } from '../domain/roles.ts';
import { METRIC_NAMES, METRICS } from '../domain/heatmap-metrics.ts';
import { leaderJurisdictions, populationWindow, refreshGridStats, type AreaLevel } from './repository.ts';
import { cellOrder, compactHeatmap, dataVersionOf } from './compact.ts';
import { KEPT_FIGURES_WATCH_MS, monthEndStoreOf } from './month-ends.ts';
import { createResponseCache, keyOfRequest, sendCachedJson } from '../http/kept-answers.ts';
import type { AppContext } from '../context.ts';
import { shapeSnapshotKey } from '../db/data-version.ts';
import type { Principal } from '../auth/session.ts';
import { createSliderWarmer } from './slider-warmer.ts';
import { logger } from '../logger.ts';
import { foregroundQuiet } from '../http/foreground.ts';
import { visiblePrefixes } from '../http/jurisdiction.ts';
import { buildHeatmap, buildHeatmapColumns, currentWindowVersion, keepPopulationWindowCurrent, suppressesSmallCounts } from './service.ts';

/** Heatmaps (aggregate figures per cell with a shared legend) and their upkeep; the KPI cards are server/kpis's own routes. */
export const heatmapsRoutes: FeatureRoutes = (context) => heatmapSpecs(context);

/**
 * The slider's month-ends and the cases per day: precomputed when the server starts
 * (warmKeptFigures) and again once someone slides (or, on PostgreSQL, asks for cases) after the
 * data changed; watched on PostgreSQL (shared by many readers).
 */
function keptFiguresOf(context: AppContext) {
  const store = monthEndStoreOf(context.db, (message, fields) => logger.info(message, fields));
  const watchMs = context.engine === 'postgres' ? KEPT_FIGURES_WATCH_MS : undefined;
  return { store, refresh: () => store.refresh(context.db, watchMs) };
}

/**
 * A server computes the kept figures as it starts (issue 18): otherwise its first map with a
 * legend fixed over the slider's months (the leader's home) sums 36 month-ends in SQL, 8 s at
 * Shenzhen scale, and the first slide finds nothing kept.
 */
export async function warmKeptFigures(context: AppContext): Promise<void> {
  // A server started on a new day extends the kept days first: that write would make the months stale at once.
  await keepPopulationWindowCurrent(context.db);
  keptFiguresOf(context).refresh();
}

/** Cell orders kept gzipped: a whole-city grid order is ~0.2 MB, one per level and jurisdiction asked. */
const CELL_ORDERS_MAX_GZIP_BYTES = 16 * 1024 * 1024;

const heatmapSpecs: FeatureRoutes = (context) => {
  const keptHeatmaps = createResponseCache();
  // A cell order is drawn from the shapes alone: kept across registrations (issue 18, first paint after a burst of writes).
  const keptCellOrders = createResponseCache(CELL_ORDERS_MAX_GZIP_BYTES, shapeSnapshotKey);
  const { store: monthEnds, refresh: refreshKeptFigures } = keptFiguresOf(context);
  const watchesCases = context.engine === 'postgres';
  const warmer = context.config.warmKeptAnswers ? createSliderWarmer(context.db, monthEnds, (message, fields) => logger.info(message, fields)) : undefined;

  /** An area map's answer, kept per data version; `beforeComputing` is awaited only when it is not kept. */
  function keptAnswer(heatmap: AreaMapRequest, principal: Principal, beforeComputing?: () => Promise<void>, knownVersion?: string) {
    // Everything the response depends on besides the data version: the request and what this caller may see.
    const requestKey = keyOfRequest([heatmap, visiblePrefixes(principal), suppressesSmallCounts(principal)]);
    const { shape, ...asked } = heatmap;
    const compute =
      shape === 'values'
        ? async (trx: Transaction<DB>) => {
            const { head, columns } = await buildHeatmapColumns(trx, principal, { ...asked, level: asked.level }, monthEnds);
            return compactHeatmap(head, columns, await dataVersionOf(trx));
          }
        : (trx: Transaction<DB>) => buildHeatmap(trx, principal, asked, monthEnds);
    return keptHeatmaps.read(context.db, requestKey, compute, beforeComputing, knownVersion);
  }

  /** The cells of a level the caller may see, in heatmap order, kept per version of the shapes. */
  function keptCellOrder(level: AreaLevel, principal: Principal) {
    const requestKey = JSON.stringify(['cells', level, visiblePrefixes(principal)]);
    return keptCellOrders.read(context.db, requestKey, (trx) => cellOrder(trx, principal, level));
  }

  /**
   * A whole-level population map (the figures kept per month-end): its answers (values only, as
   * the dashboard asks) are built ahead for the slider, the running month's with the level's cell
   * order (the dashboard asks both first). Cases and rental tiers are read from their own tables
   * per month, unit figures do not change with the month: none is built ahead.
   */
  function noteSliderMap(heatmap: AreaMapRequest, principal: Principal): void {
    if (!warmer || heatmap.bbox || METRICS[heatmap.metric].source !== 'population') return;
    const month = (asOf: string | undefined): AreaMapRequest => ({ ...heatmap, shape: 'values', asOf });
    const mapKey = keyOfRequest([month(undefined), visiblePrefixes(principal), suppressesSmallCounts(principal)]);
    warmer.noteRead(mapKey, (day) =>
      day === undefined ? Promise.all([keptAnswer(month(day), principal), keptCellOrder(heatmap.level, principal)]) : keptAnswer(month(day), principal),
    );
  }

  /**
   * A leader's first view, built ahead whenever the month-ends are kept anew (issue 18: first
   * paint): after a start, and after writes moved the data version (the morning's first leader
   * after the night's registrations). Otherwise that leader computes the map's legend over the
   * slider's months while the dashboard starts, and waits for it. Only the first view: its slider
   * months are built once a leader reads it, like any map's (a server's start must not fill the
   * slider's builds with maps nobody has opened).
   */
  if (warmer) {
    let building: Promise<void> | undefined;
    let keptAgain = false;
    monthEnds.onKept(() => {
      keptAgain = true;
      building ??= (async () => {
        while (keptAgain) {
          keptAgain = false;
          await buildLeadersFirstMaps();
        }
      })().finally(() => {
        building = undefined;
      });
    });
  }

  async function buildLeadersFirstMaps(): Promise<void> {
    try {
      const started = Date.now();
      const maps = await buildFirstMapsOfLeaders();
      logger.info("leaders' first maps built ahead", { maps, ms: Date.now() - started });
    } catch (error) {
      // Only a head start: the first leader computes them.
      logger.warn("leaders' first maps not built ahead", { error: error instanceof Error ? error.message : String(error) });
    }
  }

  async function buildFirstMapsOfLeaders(): Promise<number> {
    const { today } = await populationWindow(context.db);
    const jurisdictions = await leaderJurisdictions(context.db, FIRST_JURISDICTIONS_BUILT_AHEAD);
    for (const jurisdiction of jurisdictions) {
      // What a leader of that jurisdiction may see is all a map's answer depends on of its reader.
      const leader: Principal = { userId: 0, username: 'first-view', displayName: '', role: 'leader', jurisdiction, collectorId: null };
      for (const level of FIRST_MAP_LEVELS) {
        // Requests first: this is for the quiet after a start.
        await foregroundQuiet();
        await Promise.all([keptAnswer(firstMapOf(level, today), leader), keptCellOrder(level, leader)]);
      }
    }
    return jurisdictions.length * FIRST_MAP_LEVELS.length;
  }

  return [
    route({
      method: 'get',
      path: '/heatmaps',
      access: ANALYTICS_READERS,
      cost: 'cheap',
      summary: 'The heatmap metrics with their labels, units and definitions',
      handler: (_input, _request, response) => {
        const metrics = METRIC_NAMES.map((name) => ({
          metric: name,
          label: METRICS[name].label,
          unit: METRICS[name].unit,
          definition: METRICS[name].definition,
        }));
        response.json({ metrics, levels: LEVELS, h3Resolution: H3_RESOLUTION, squareMetres: SQUARE_METRES });
      },
    }),
    route({
      method: 'get',
      path: '/heatmaps/cells',
      access: ANALYTICS_READERS,
      cost: 'cheap',
      summary: 'The cells of an area level the caller may see, in the order of a heatmap answered with shape=values (kept per version of the shapes)',
      schemas: { query: cellsQuery },
      handler: async ({ query: { level }, principal }, request, response) => {
        const { body, hit } = await keptCellOrder(level, principal);
        sendCachedJson(request, response, body, hit);
      },
    }),
    route({
      method: 'get',
      path: '/heatmaps/:metric',
      access: ANALYTICS_READERS,
      // Kept (cached) per data version; hex and square cells are binned inside a small bbox only.
      cost: 'cheap',
      summary: 'Values per cell (area, H3 hexagon or ground square) with legend class breaks',
      schemas: { params: heatmapParams, query: heatmapQuery },
      handler: async ({ params, query, principal }, request, response) => {
        const asked = heatmapRequest(params, query);
        // Hex and square cells are binned from base-table points inside a small bbox: not kept.
        if (asked.level === 'hex' || asked.level === 'square') {
          const { shape: _cells, ...pointMap } = asked;
          response.json(await buildHeatmap(context.db, principal, pointMap));
          return;
        }
        const heatmap = { ...asked, level: asked.level };
        const version = await currentWindowVersion(context.db);
        if (heatmap.asOf !== undefined || heatmap.breaksFrom !== undefined || (watchesCases && METRICS[heatmap.metric].source === 'cases'))
          refreshKeptFigures();
        // A period legend reads every month-end (and a map of cases, every month's cases): waiting for
        // a computation under way is sooner than summing them in SQL. An answer already kept for this
        // data version waits for nothing (the computation just started may take seconds, issue 18).
        const figuresSettled = METRICS[heatmap.metric].source === 'cases' ? monthEnds.settled : monthEnds.monthEndsSettled;
        const { body, hit } = await keptAnswer(heatmap, principal, heatmap.breaksFrom !== undefined ? figuresSettled : undefined, version);
        noteSliderMap(heatmap, principal);
        sendCachedJson(request, response, body, hit);
      },
    }),
    route({
      method: 'post',
      path: '/heatmaps/refresh',
      access: ['admin'],
      cost: 'bulk',
      summary: 'Recompute every maintained grid statistic from the base tables (after a bulk load)',
      schemas: { body: refreshBody },
      handler: async ({ body: { historyFrom }, principal }, _request, response) => {
        const started = Date.now();
        await refreshGridStats(context.db, historyFrom ?? null);
        await recordAudit(context.db, principal, { action: 'refresh', targetType: 'grid_stats', details: { historyFrom: historyFrom ?? null } });
        const window = await populationWindow(context.db);
        response.json({ refreshed: true, seconds: (Date.now() - started) / 1000, keptDays: { from: window.firstDay, to: window.lastDay } });
      },
    }),
  ];
};
