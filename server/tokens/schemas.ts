import { z } from 'zod';

export const MAX_TOKEN_DAYS = 365;
export const DEFAULT_TOKEN_DAYS = 90;

export const newTokenBody = z.strictObject({
  name: z.string().trim().min(1).max(60).describe('What the token is for, e.g. "QGIS on the office PC"'),
  expiresInDays: z.number().int().min(1).max(MAX_TOKEN_DAYS).default(DEFAULT_TOKEN_DAYS).describe(`Days until the token stops working, 1 to ${MAX_TOKEN_DAYS}`),
});

export const tokenIdParams = z.object({
  id: z
    .string()
    .regex(/^[1-9][0-9]{0,12}$/, 'id must be a token number')
    .transform(Number),
});
