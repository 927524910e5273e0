import { z } from 'zod';
import { checkBuildingCode } from '../domain/codes.ts';
import { RENTAL_TIERS } from '../domain/rental-scoring.ts';
import { bilingual, calendarDate } from '../http/validate.ts';
import { gridCode, purpose } from '../person-data/schemas.ts';
import { LAYER_FORMATS, TABLE_FORMATS } from './formats.ts';
import { OUTPUT_CRS } from './layer.ts';

/** Query shapes of the export routes (zod answers 400 invalid_request naming the field). */

const oneOf = <T extends readonly [string, ...string[]]>(values: T, field: string) =>
  z.enum(values, { message: `${field} must be one of ${values.join(', ')}` });

const areaCode = z
  .string()
  .regex(/^(\d{6}|\d{9}|\d{12}|\d{14})$/, 'must be a district (6 digits), street (9), community (12) or grid (14) code')
  .describe('Only this district, street, community or grid (cut to the caller’s jurisdiction)');

const layerCommon = {
  format: oneOf(LAYER_FORMATS, 'format').default('csv'),
  crs: oneOf(OUTPUT_CRS, 'crs').default('wgs84').describe('Coordinates of the file: wgs84 (as stored) or gcj02 (AMap/Tencent basemaps)'),
  area: areaCode.optional(),
};

export const gridExportQuery = z.object({
  ...layerCommon,
  asOf: calendarDate.optional().describe('Day of the population figures and scoring month (default today)'),
  from: calendarDate.optional().describe('First day of the case period (default 30 days before to)'),
  to: calendarDate.optional().describe('Last day of the case period (default asOf)'),
});

export const buildingExportQuery = z.object({
  ...layerCommon,
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'month must be YYYY-MM')
    .transform((text) => `${text}-01`)
    .optional()
    .describe('Scoring month of the tiers (default the latest scored)'),
  tier: oneOf(RENTAL_TIERS, 'tier').optional().describe('Only buildings of this tier'),
});

const buildingCode = z.string().superRefine((code, context) => {
  const check = checkBuildingCode(code);
  if (!check.ok)
    context.addIssue({ code: 'custom', message: check.message ?? 'invalid building code', params: { code: 'invalid_building_code', zh: '建筑物编码不正确' } });
});

export const peopleExportQuery = z
  .object({
    format: oneOf(TABLE_FORMATS, 'format').default('csv'),
    building: buildingCode.optional().describe('The current occupants of this building'),
    grid: gridCode.optional().describe('The current occupants of this grid'),
    purpose,
    masked: oneOf(['true', 'false'], 'masked')
      .default('false')
      .transform((text) => text === 'true')
      .describe('true: ID and phone numbers masked as for other roles (a copy that leaves the station)'),
  })
  .refine((query) => (query.building === undefined) !== (query.grid === undefined), {
    message: bilingual('give either building or grid', '请在楼栋和网格中二选一'),
    path: ['building'],
  });
