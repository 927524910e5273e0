import { recordAudit } from '../audit/service.ts';
import type { Principal } from '../auth/session.ts';
import type { AppContext } from '../context.ts';
import type { Role } from '../db/schema.ts';
import { DEFAULT_ALLOCATION_SETTINGS, type AllocationSettings } from '../domain/allocation.ts';
import { chinaToday } from '../domain/calendar.ts';
import { badRequest, notFound } from '../http/errors.ts';
import { assertInJurisdiction } from '../http/jurisdiction.ts';
import { route, type FeatureRoutes, type RouteSpec } from '../http/route-registry.ts';
import { sendAttachment, toCsv, toXlsx } from '../http/attachments.ts';
import { communitiesTable, employersTable, gridsTable, movesTable, settingsTable } from './export.ts';
import { codeRange } from '../db/code-prefix.ts';
import { collectorsServing, findPublicArea } from './repository.ts';
import { assignCollector, changeCollector, collectorDetail, createCollector, endCollectorAssignment, listCollectorDetails } from './roster.ts';
import {
  allocationQuery,
  allocationSettingsBody,
  assignmentBody,
  assignmentParams,
  collectorIdParams,
  collectorListQuery,
  collectorPatchBody,
  employersQuery,
  endAssignmentBody,
  newCollectorBody,
  planCsvQuery,
  publicAreaParams,
  rebalanceQuery,
  shortageQuery,
} from './schemas.ts';
import {
  allocationRows,
  communityStepsOf,
  computeAllocation,
  proposeRebalancing,
  saveAllocationSettings,
  savedAllocationSettings,
  sortAndPage,
  totalsOf,
  withOverrides,
} from './service.ts';

/**
 * Who may do what (issue 7): planners and admins plan and manage collectors; leaders read the
 * figures; only admins change the ratios (planners try them with what-if parameters). Police,
 * collectors and auditors get 403 here. The card listing an area's collectors is public.
 */
const PLANNING_READERS: readonly Role[] = ['planner', 'admin', 'leader'];
const COLLECTOR_MANAGERS: readonly Role[] = ['planner', 'admin'];
const SETTINGS_EDITORS: readonly Role[] = ['admin'];

/** The saved settings with the query's what-if overrides, and the allocation of the area asked for. */
async function planningInput(context: AppContext, principal: Principal, query: Partial<AllocationSettings> & { within?: string }, withEmployers: boolean) {
  const savedSettings = await savedAllocationSettings(context.db);
  const { settings, whatIf } = withOverrides(savedSettings, query);
  const area = planningArea(principal, query.within);
  const view = await computeAllocation(context.db, settings, codeRange(area), { withEmployers });
  return { view, meta: { within: query.within ?? null, whatIf, settings, savedSettings } };
}

/**
 * The area planned: the one asked for (404 outside the caller's jurisdiction), else the caller's
 * own area. A jurisdiction of several areas names one with `within`: the allocation is per area.
 */
function planningArea(principal: Principal, within: string | undefined): string {
  if (within !== undefined) {
    assertInJurisdiction(principal, within, 'Area');
    return within;
  }
  const [only, ...others] = principal.jurisdiction;
  if (only === undefined || others.length > 0) {
    const message = `within: choose one of your areas (${principal.jurisdiction.join(', ') || 'none'})`;
    const messageZh = `within：请选择您管辖的一个区域（${principal.jurisdiction.join('、') || '无'}）`;
    throw badRequest('invalid_request', message, { fields: [{ field: 'within', code: 'required', message, messageZh }] });
  }
  return only;
}

const planningRoutes = (context: AppContext): RouteSpec[] => [
  route({
    method: 'get',
    path: '/collectors/settings',
    access: PLANNING_READERS,
    summary: 'Allocation settings (ratios, community minimum, employer threshold, mode) and their defaults',
    handler: async (_input, _request, response) => {
      response.json({ settings: await savedAllocationSettings(context.db), defaults: DEFAULT_ALLOCATION_SETTINGS });
    },
  }),
  route({
    method: 'put',
    path: '/collectors/settings',
    access: SETTINGS_EDITORS,
    summary: 'Replace the allocation settings (every field; audited)',
    schemas: { body: allocationSettingsBody },
    handler: async ({ body: settings, principal }, _request, response) => {
      response.json({ settings: await saveAllocationSettings(context.db, principal, settings) });
    },
  }),
  route({
    method: 'get',
    path: '/collectors/allocation',
    access: PLANNING_READERS,
    summary:
      'Need, assigned and gap per grid/community/street/district with each step: the community need (ratios over the whole community, ceiling, small-community rule) and its share-out to grids by largest remainder; sortable; what-if ratios as query parameters',
    schemas: { query: allocationQuery },
    handler: async ({ query, principal }, _request, response) => {
      const { view, meta } = await planningInput(context, principal, query, true);
      const rows = await allocationRows(context.db, view, query.level);
      const page = sortAndPage(rows, query.sort, query.limit, query.offset);
      // Grid rows carry their share; the steps of their communities come once each beside them.
      const communities = query.level === 'grid' ? { communities: communityStepsOf(view, page) } : {};
      response.json({ ...meta, level: query.level, sort: query.sort, totals: totalsOf(view), total: rows.length, rows: page, ...communities });
    },
  }),
  route({
    method: 'get',
    path: '/collectors/shortage',
    access: PLANNING_READERS,
    summary: 'Gap per area for a diverging shortage map (join on code with /api/areas), with the colour scale bounds',
    schemas: { query: shortageQuery },
    handler: async ({ query, principal }, _request, response) => {
      const { view, meta } = await planningInput(context, principal, query, false);
      const rows = await allocationRows(context.db, view, query.level);
      const areas = rows.map((row) => ({ code: row.code, need: row.need, assigned: row.fullTimeAssigned, gap: row.gap }));
      const maxShortage = Math.max(0, ...areas.map((area) => -area.gap));
      const maxSurplus = Math.max(0, ...areas.map((area) => area.gap));
      response.json({ ...meta, level: query.level, scale: { maxShortage, maxSurplus, maxAbsGap: Math.max(maxShortage, maxSurplus) }, areas });
    },
  }),
  route({
    method: 'get',
    path: '/collectors/employers',
    access: PLANNING_READERS,
    summary: 'Employers with enough floating staff to name a part-time collector, and whether they have',
    schemas: { query: employersQuery },
    handler: async ({ query, principal }, _request, response) => {
      const { view, meta } = await planningInput(context, principal, query, true);
      response.json({ ...meta, employers: view.employers });
    },
  }),
  route({
    method: 'get',
    path: '/collectors/rebalance',
    access: PLANNING_READERS,
    summary: 'Proposed moves of full-time collectors from surplus to short grids (most shortage removed, fewest moves), with centroids for arrows',
    schemas: { query: rebalanceQuery },
    handler: async ({ query, principal }, _request, response) => {
      const { view, meta } = await planningInput(context, principal, query, false);
      response.json({ ...meta, ...(await proposeRebalancing(context.db, view, query.reach)) });
    },
  }),
  route({
    method: 'get',
    path: '/collectors/plan.csv',
    access: PLANNING_READERS,
    cost: 'bulk',
    summary: 'The rebalancing plan (table=moves) or the per-grid allocation (table=grids) as CSV with a UTF-8 BOM',
    schemas: { query: planCsvQuery },
    handler: async ({ query, principal }, _request, response) => {
      const { view, meta } = await planningInput(context, principal, query, false);
      const table = query.table === 'grids' ? gridsTable(view) : movesTable(await proposeRebalancing(context.db, view, query.reach));
      await auditExport(context, principal, 'csv', meta.within, table.rows.length);
      sendAttachment(response, planFileName(meta.within, query.table, 'csv'), 'text/csv; charset=utf-8', toCsv(table));
    },
  }),
  route({
    method: 'get',
    path: '/collectors/plan.xlsx',
    access: PLANNING_READERS,
    cost: 'bulk',
    summary:
      'The rebalancing plan, the per-community need, the per-grid allocation, the employers’ part-time requirement and the settings used, as an Excel workbook',
    schemas: { query: rebalanceQuery },
    handler: async ({ query, principal }, _request, response) => {
      const { view, meta } = await planningInput(context, principal, query, true);
      const moves = movesTable(await proposeRebalancing(context.db, view, query.reach));
      const workbook = await toXlsx([moves, communitiesTable(view), gridsTable(view), employersTable(view), settingsTable(meta.settings, meta.whatIf)]);
      await auditExport(context, principal, 'xlsx', meta.within, moves.rows.length);
      const type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
      sendAttachment(response, planFileName(meta.within, 'plan', 'xlsx'), type, workbook);
    },
  }),
];

const planFileName = (within: string | null, what: string, extension: string) => `collector-${what}-${within ?? 'all'}-${chinaToday()}.${extension}`;

async function auditExport(context: AppContext, principal: Principal, format: string, within: string | null, rows: number) {
  await recordAudit(context.db, principal, { action: 'export', targetType: 'collector_plan', targetId: within ?? 'all', details: { format, rows } });
}

const publicRoutes = (context: AppContext): RouteSpec[] => [
  route({
    method: 'get',
    path: '/collectors/public/:areaCode',
    access: 'public',
    summary: 'Public card of a community or grid: the names, photos and grids of the collectors serving it, nothing else',
    schemas: { params: publicAreaParams },
    handler: async ({ params: { areaCode } }, _request, response) => {
      const area = await findPublicArea(context.db, areaCode);
      if (!area) throw notFound('Area', areaCode);
      const collectors = await collectorsServing(context.db, codeRange(areaCode)!);
      response.set('Cache-Control', 'public, max-age=300').json({
        area,
        collectors: collectors.map((collector) => ({
          name: collector.name,
          photoUrl: collector.photoUrl,
          area: { code: collector.gridCode, name: collector.gridName },
        })),
      });
    },
  }),
];

const rosterRoutes = (context: AppContext): RouteSpec[] => [
  route({
    method: 'get',
    path: '/collectors',
    access: COLLECTOR_MANAGERS,
    summary: 'Collectors with their open assignments; filter by area, employment, active, unassigned',
    schemas: { query: collectorListQuery },
    handler: async ({ query, principal }, _request, response) => {
      if (query.within !== undefined) assertInJurisdiction(principal, query.within, 'Area');
      response.json(await listCollectorDetails(context.db, { ...query, range: codeRange(query.within) }));
    },
  }),
  route({
    method: 'post',
    path: '/collectors',
    access: COLLECTOR_MANAGERS,
    summary: 'Create a collector record (full- or part-time)',
    schemas: { body: newCollectorBody },
    handler: async ({ body, principal }, _request, response) => {
      response.status(201).json(await createCollector(context.db, principal, body));
    },
  }),
  route({
    method: 'get',
    path: '/collectors/:id',
    access: COLLECTOR_MANAGERS,
    summary: 'One collector with every assignment, ended ones included',
    schemas: { params: collectorIdParams },
    handler: async ({ params: { id } }, _request, response) => {
      response.json(await collectorDetail(context.db, id));
    },
  }),
  route({
    method: 'patch',
    path: '/collectors/:id',
    access: COLLECTOR_MANAGERS,
    summary: 'Change a collector; active=false ends their assignments today',
    schemas: { params: collectorIdParams, body: collectorPatchBody },
    handler: async ({ params: { id }, body: patch, principal }, _request, response) => {
      response.json(await changeCollector(context.db, principal, id, patch));
    },
  }),
  route({
    method: 'post',
    path: '/collectors/:id/assignments',
    access: COLLECTOR_MANAGERS,
    summary: 'Assign a collector to a grid; a full-time collector’s current assignment ends the day the new one starts',
    schemas: { params: collectorIdParams, body: assignmentBody },
    handler: async ({ params: { id }, body, principal }, _request, response) => {
      assertInJurisdiction(principal, body.gridCode, 'Grid');
      response.status(201).json(await assignCollector(context.db, principal, id, body.gridCode, body.startsOn ?? chinaToday()));
    },
  }),
  route({
    method: 'post',
    path: '/collectors/:id/assignments/:assignmentId/end',
    access: COLLECTOR_MANAGERS,
    summary: 'End an open assignment (default today)',
    schemas: { params: assignmentParams, body: endAssignmentBody },
    handler: async ({ params: { id, assignmentId }, body, principal }, _request, response) => {
      response.json(await endCollectorAssignment(context.db, principal, id, assignmentId, body.endedOn ?? chinaToday()));
    },
  }),
];

// Fixed paths before /collectors/:id, which would otherwise catch "settings", "allocation", …
export const collectorsRoutes: FeatureRoutes = (context) => [...planningRoutes(context), ...publicRoutes(context), ...rosterRoutes(context)];
