import { z } from 'zod';
import { passwordPolicy } from '../auth/passwords.ts';
import { ROLES } from '../db/schema.ts';
import { bilingual, textNumber } from '../http/validate.ts';

/** The same rule as the users.username CHECK in sql/0001_core.sql, said before the database says it. */
const username = z
  .string()
  .trim()
  .regex(/^[a-z0-9_.-]{3,40}$/, 'username must be 3–40 lower-case letters, digits, dots, dashes or underscores');
const displayName = z.string().trim().min(1, 'displayName must not be empty').max(50, 'displayName must have at most 50 characters');
const role = z.enum(ROLES, { message: `role must be one of ${ROLES.join(', ')}` });
const areaCode = z.string().regex(/^(\d{6}|\d{9}|\d{12}|\d{14})$/, 'must be a district (6 digits), street (9), community (12) or grid (14) code');
/** Code prefixes the user may act in; whether each exists (and suits the role) is checked by the service. */
const jurisdiction = z
  .array(areaCode)
  .max(50, 'jurisdiction may list at most 50 codes')
  .transform((codes) => [...new Set(codes)]);
const collectorId = z.number().int().positive('collectorId must be a positive number').nullable();

export const newUserBody = z.strictObject({
  username,
  displayName,
  role,
  jurisdiction,
  collectorId: collectorId.default(null),
  temporaryPassword: passwordPolicy('temporaryPassword'),
});
export type NewUser = z.infer<typeof newUserBody>;

export const userPatchBody = z
  .strictObject({ displayName, role, jurisdiction, collectorId, disabled: z.boolean({ message: 'disabled must be true or false' }) })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, bilingual('give at least one field to change', '请至少填写一项要修改的内容'));
export type UserPatch = z.infer<typeof userPatchBody>;

export const passwordResetBody = z.strictObject({ temporaryPassword: passwordPolicy('temporaryPassword') });

export const userIdParams = z.object({ id: textNumber(z.number().int().positive('id must be a positive number')) });

export const userListQuery = z.strictObject({
  role: role.optional(),
  status: z.enum(['active', 'disabled'], { message: 'status must be active or disabled' }).optional(),
  /** Part of a username (plain text, not a pattern). */
  q: z.string().trim().max(40, 'q must have at most 40 characters').optional(),
  limit: textNumber(z.number().int().min(1).max(500).default(100)),
  offset: textNumber(z.number().int().min(0).max(1_000_000).default(0)),
});
export type UserListQuery = z.infer<typeof userListQuery>;

export const grantIdParams = z.object({ id: textNumber(z.number().int().positive('id must be a positive number')) });

export const grantListQuery = z.strictObject({
  status: z.enum(['pending', 'approved', 'rejected', 'superseded'], { message: 'status must be pending, approved, rejected or superseded' }).optional(),
  limit: textNumber(z.number().int().min(1).max(500).default(100)),
  offset: textNumber(z.number().int().min(0).max(1_000_000).default(0)),
});
export type GrantListQuery = z.infer<typeof grantListQuery>;
