import fs from 'node:fs';
import { z } from 'zod';
import { route, type FeatureRoutes } from '../http/route-registry.ts';
import { textNumber } from '../http/validate.ts';
import { checkpointPath, CHECKPOINT_FILE } from './checkpoints.ts';
import { auditPage } from './repository.ts';
import { verifyAuditTrail } from './service.ts';

const MAX_PAGE = 500;
const auditQuery = z.object({
  limit: textNumber(z.number().int().min(1).max(MAX_PAGE).default(100)),
  /** Rows with seq below this (keyset paging, newest first; seq is the row's insert order, chain_seq its place in the chain once linked). */
  before: textNumber(z.number().int().positive()).optional(),
  username: z.string().trim().max(40).optional(),
  action: z.string().trim().max(40).optional(),
  targetType: z.string().trim().max(40).optional(),
  from: z.iso.date().optional().describe('First day (Asia/Shanghai) of the rows'),
  to: z.iso.date().optional().describe('Last day (Asia/Shanghai) of the rows'),
});

/** Dates are the city's calendar days (China Standard Time, no daylight saving), as the screen shows them. */
const startOfCityDay = (day: string) => new Date(`${day}T00:00:00+08:00`);

/** The auditor's view of the log (三权分立: only the auditor reads it; nobody can change it). */
export const auditRoutes: FeatureRoutes = (context) => [
  route({
    method: 'get',
    path: '/audit',
    access: ['auditor'],
    summary: 'Browse the audit log, newest first, with filters and keyset paging',
    schemas: { query: auditQuery },
    handler: async ({ query: filter }, _request, response) => {
      const rows = await auditPage(context.db, {
        ...filter,
        from: filter.from ? startOfCityDay(filter.from) : undefined,
        until: filter.to ? new Date(startOfCityDay(filter.to).getTime() + 86_400_000) : undefined,
      });
      const last = rows.at(-1);
      response.json({ rows, next: rows.length === filter.limit && last ? `?before=${last.seq}&limit=${filter.limit}` : null });
    },
  }),
  route({
    method: 'get',
    path: '/audit/verify',
    access: ['auditor'],
    summary: 'Recompute the keyed hash chain and compare it with the checkpoints kept outside the database; reports the first broken row or the missing tail',
    handler: async (_input, _request, response) => {
      response.json(await verifyAuditTrail(context.db, context.config));
    },
  }),
  route({
    method: 'get',
    path: '/audit/checkpoints',
    access: ['auditor'],
    summary: 'Download the keyed checkpoints of the chain head (JSON lines), to keep outside the server',
    handler: async (_input, _request, response) => {
      const file = checkpointPath(context.config);
      response.type('application/x-ndjson').attachment(CHECKPOINT_FILE);
      response.send(fs.existsSync(file) ? fs.readFileSync(file) : '');
    },
  }),
];
