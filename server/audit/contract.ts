import { z } from 'zod';
import { instant, type RouteResponses } from '../domain/contract-shapes.ts';

/** One audit row as stored (snake_case columns, as the auditor's CSV shows them). */
export const auditRow = z.object({
  seq: z.number().int(),
  chain_seq: z.number().int().nullable(),
  at: instant,
  username: z.string().nullable(),
  role: z.string().nullable(),
  action: z.string().meta({ examples: ['export'] }),
  target_type: z.string(),
  target_id: z.string().nullable(),
  purpose: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  hash: z.string().nullable(),
});
export const auditPage = z.object({
  rows: z.array(auditRow),
  next: z
    .string()
    .nullable()
    .meta({ description: 'The query of the next page, null on the last', examples: ['?before=120&limit=100'] }),
});
export const trailVerification = z.object({
  ok: z.boolean(),
  rows: z.number().int(),
  firstBrokenSeq: z.number().int().nullable(),
  headSeq: z.number().int(),
  unlinked: z
    .object({ rows: z.number().int(), oldestAt: instant.nullable(), oldestAgeSeconds: z.number().nullable() })
    .meta({ description: 'Rows the sequencer has not linked yet: not covered by this check' }),
  missingTail: z
    .object({ kind: z.enum(['missing', 'replaced']), afterSeq: z.number().int(), checkpointAt: instant, checkpointSeq: z.number().int() })
    .nullable()
    .meta({ description: 'Rows the checkpoints kept outside the database recorded but the database no longer holds as recorded' }),
  checkpoints: z.object({
    valid: z.number().int(),
    invalid: z.number().int(),
    otherDatabases: z.number().int().meta({ description: 'Checkpoints of another database served from the same DATA_DIR: counted, not compared' }),
    latest: z.object({ at: instant, seq: z.number().int() }).nullable(),
  }),
});

export const auditResponses: Record<string, RouteResponses> = {
  'get /api/audit': { 200: { description: 'Audit rows, newest first', schema: auditPage } },
  'get /api/audit/verify': { 200: { description: 'The keyed chain and the checkpoints, verified', schema: trailVerification } },
  'get /api/audit/checkpoints': { 200: { description: 'The keyed checkpoint file, one JSON object a line', contentType: 'application/x-ndjson' } },
};
