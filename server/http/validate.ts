import type { Request } from 'express';
import { z } from 'zod';
import { HttpError } from './errors.ts';

/** Describes each failed field so the client can show it next to the input. */
export function describeIssues(error: z.ZodError): { field: string; message: string }[] {
  return error.issues.map((issue) => ({ field: issue.path.join('.') || '(root)', message: issue.message }));
}

function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const fields = describeIssues(parsed.error);
  const summary = fields.map((field) => `${field.field}: ${field.message}`).join('; ');
  throw new HttpError(400, 'invalid_request', `Invalid ${where}: ${summary}`, { fields });
}

/** Decimal digits with an optional sign and fraction: the only text taken as a number. */
const NUMBER_TEXT = /^-?\d{1,20}(\.\d{1,20})?$/;

/**
 * A number written as text, for query strings and path parameters (which are text): "3" → 3.
 * Anything else reaches `number` unchanged and is refused there: "", " 3", "0x10", "1e3",
 * a repeated parameter (an array). JSON bodies use plain z.number(): no text, no coercion.
 * A default goes inside (`textNumber(z.number().default(5))`), where the OpenAPI document sees it.
 */
export const textNumber = <S extends z.ZodType<number, number | undefined>>(number: S) =>
  z.preprocess((value) => (typeof value === 'string' && NUMBER_TEXT.test(value) ? Number(value) : value), number);

export const parseBody = <S extends z.ZodType>(schema: S, request: Request) => parseOrThrow(schema, request.body, 'body');
export const parseQuery = <S extends z.ZodType>(schema: S, request: Request) => parseOrThrow(schema, request.query, 'query');
export const parseParams = <S extends z.ZodType>(schema: S, request: Request) => parseOrThrow(schema, request.params, 'path');

/** "minLon,minLat,maxLon,maxLat" in WGS84, each within range and min < max. */
export const bboxSchema = z
  .string()
  .transform((text) => text.split(',').map((part) => Number(part)))
  .refine((numbers) => numbers.length === 4 && numbers.every(Number.isFinite), 'bbox must be four numbers: minLon,minLat,maxLon,maxLat')
  .refine(([minLon, minLat, maxLon, maxLat]) => minLon! >= -180 && maxLon! <= 180 && minLat! >= -90 && maxLat! <= 90, 'bbox is outside WGS84 bounds')
  .refine(([minLon, minLat, maxLon, maxLat]) => minLon! < maxLon! && minLat! < maxLat!, 'bbox min must be below max')
  .transform((numbers) => numbers as [number, number, number, number]);
