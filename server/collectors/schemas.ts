import { z } from 'zod';
import { ALLOCATION_MODES, ALLOCATION_SORT_COLUMNS, type AllocationSort, type AllocationSortColumn } from '../domain/allocation.ts';
import { REBALANCE_REACH } from '../domain/rebalance.ts';
import { calendarDate, textNumber } from '../http/validate.ts';

type NumberSchema = (min: number, max: number) => z.ZodType<number, unknown>;

/** The allocation settings with their bounds; `number` makes a JSON number or a query-string number. */
function settingsFields(number: NumberSchema) {
  return {
    mode: z.enum(ALLOCATION_MODES, { message: `mode must be one of ${ALLOCATION_MODES.join(', ')}` }),
    floatingPerCollector: number(1, 100_000),
    rentalHousesPerCollector: number(1, 10_000),
    populationPerCollector: number(1, 100_000),
    smallCommunityFloatingBelow: number(0, 10_000_000),
    smallCommunityMinimum: number(0, 100),
    employerFloatingStaffForPartTime: number(1, 10_000_000),
  };
}

/** PUT /collectors/settings: every setting, nothing else. */
export const allocationSettingsBody = z.strictObject(settingsFields((min, max) => z.number().int().min(min).max(max)));

/** What-if overrides: any setting as a query parameter; nothing is saved. */
const whatIfFields = z.object(settingsFields((min, max) => textNumber(z.number().int().min(min).max(max)))).partial().shape;

const within = z
  .string()
  .regex(/^(\d{6}|\d{9}|\d{12}|\d{14})$/, 'within must be a district (6 digits), street (9), community (12) or grid (14) code')
  .optional();
const pageLimit = (max: number, fallback: number) => textNumber(z.number().int().min(1).max(max).default(fallback));
const pageOffset = textNumber(z.number().int().min(0).max(10_000_000).default(0));
const AREA_LEVELS = ['grid', 'community', 'street', 'district'] as const;
const level = z.enum(AREA_LEVELS, { message: `level must be one of ${AREA_LEVELS.join(', ')}` }).default('grid');

export type { AllocationSort, AllocationSortColumn };
export const ALLOCATION_SORTS: AllocationSort[] = ALLOCATION_SORT_COLUMNS.flatMap((column) => [column, `-${column}` as const]);

export const allocationQuery = z.strictObject({
  ...whatIfFields,
  within,
  level,
  sort: z.enum(ALLOCATION_SORTS as [AllocationSort, ...AllocationSort[]], { message: `sort must be one of ${ALLOCATION_SORTS.join(', ')}` }).default('gap'),
  limit: pageLimit(20_000, 1000),
  offset: pageOffset,
});

export const shortageQuery = z.strictObject({ ...whatIfFields, within, level });

export const employersQuery = z.strictObject({ ...whatIfFields, within });

const reachMessage = `reach must be a whole number of hops from ${REBALANCE_REACH.min} to ${REBALANCE_REACH.max} (or adjacent, meaning 1)`;
/** Hops over shared grid boundaries a collector may be moved; 'adjacent' (the old name for 1) still works. */
const reach = z.preprocess(
  (value) => (value === 'adjacent' ? 1 : value),
  textNumber(
    z
      .number({ message: reachMessage })
      .int(reachMessage)
      .min(REBALANCE_REACH.min, reachMessage)
      .max(REBALANCE_REACH.max, reachMessage)
      .default(REBALANCE_REACH.default),
  ),
);
export const rebalanceQuery = z.strictObject({ ...whatIfFields, within, reach });

export const PLAN_TABLES = ['moves', 'grids'] as const;
export const planCsvQuery = rebalanceQuery.extend({
  table: z.enum(PLAN_TABLES, { message: `table must be one of ${PLAN_TABLES.join(', ')}` }).default('moves'),
});

// ---------------------------------------------------------------------------------------------
// Collectors and assignments

const gridCode = z.string().regex(/^\d{12}(?!00)\d{2}$/, 'gridCode must be a 14-digit grid code');
const queryBoolean = z.enum(['true', 'false'], { message: 'must be true or false' }).transform((text) => text === 'true');

const collectorFields = {
  name: z.string().trim().min(1, 'name must not be empty').max(50),
  phone: z
    .string()
    .regex(/^[0-9+\- ]{5,20}$/, 'phone must be 5–20 digits, spaces, + or -')
    .nullable(),
  // Shown on the public card: only our own paths or https, never javascript: or data: URLs.
  photoUrl: z
    .string()
    .max(500)
    .regex(/^(https:\/\/|\/)[^\s"'<>]*$/, 'photoUrl must be an https:// URL or a path starting with /')
    .nullable(),
  employment: z.enum(['full_time', 'part_time'], { message: 'employment must be full_time or part_time' }),
  employer: z.string().trim().min(1).max(100).nullable(),
  active: z.boolean(),
};

export const newCollectorBody = z.strictObject({
  ...collectorFields,
  phone: collectorFields.phone.default(null),
  photoUrl: collectorFields.photoUrl.default(null),
  employer: collectorFields.employer.default(null),
  active: collectorFields.active.default(true),
});

export const collectorPatchBody = z
  .strictObject(collectorFields)
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, 'give at least one field to change');

export const collectorIdParams = z.object({ id: textNumber(z.number().int().positive('id must be a positive number')) });
export const assignmentParams = collectorIdParams.extend({ assignmentId: textNumber(z.number().int().positive('assignmentId must be a positive number')) });

export const assignmentBody = z.strictObject({ gridCode, startsOn: calendarDate.optional() });
export const endAssignmentBody = z.strictObject({ endedOn: calendarDate.optional() });

export const collectorListQuery = z.strictObject({
  within,
  employment: collectorFields.employment.optional(),
  active: queryBoolean.optional(),
  unassigned: queryBoolean.optional(),
  limit: pageLimit(1000, 100),
  offset: pageOffset,
});

export const publicAreaParams = z.object({
  areaCode: z.string().regex(/^(\d{12}|\d{14})$/, 'areaCode must be a community (12 digits) or grid (14 digits) code'),
});
