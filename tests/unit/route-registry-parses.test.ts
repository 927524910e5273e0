import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AppContext } from '../../server/context.ts';
import { errorMiddleware } from '../../server/http/error-middleware.ts';
import { mountRoutes } from '../../server/http/mount-routes.ts';
import { route } from '../../server/http/route-registry.ts';
import { textNumber } from '../../server/http/validate.ts';
import { SERVER, sourceFiles } from '../helpers/source-imports.ts';

/**
 * Issue 17 item 5: the registry parses the declared params, query and body before the handler
 * runs, answers a bad one 400 invalid_request naming the field (as parseQuery/parseBody did), and
 * hands the handler the parsed, typed values. The handler here records each call: a refused
 * request must never reach it.
 */
function appWithRecordingRoute() {
  const calls: unknown[] = [];
  const spec = route({
    method: 'post',
    path: '/things/:id',
    access: 'public',
    summary: 'A route whose handler has a side effect',
    schemas: {
      params: z.object({ id: textNumber(z.number().int().positive()) }),
      query: z.object({ limit: textNumber(z.number().int().max(10).default(5)) }),
      body: z.strictObject({ name: z.string().min(2) }),
    },
    handler: ({ params, query, body, principal }, _request, response) => {
      calls.push({ params, query, body, principal });
      response.status(201).json({ id: params.id + 1, limit: query.limit, name: body.name.toUpperCase() });
    },
  });
  const app = express();
  app.use(express.json());
  // Public routes take no guard that reads the context.
  app.use('/api', mountRoutes({} as AppContext, [spec]));
  app.use(errorMiddleware);
  return { app, calls };
}

interface Refusal {
  status: number;
  body: { error: { code: string; message: string; details: { fields: { field: string; code: string; message: string; messageZh: string }[] } } };
}

describe('the registry parses declared schemas before the handler', () => {
  it('hands the handler the parsed values: numbers from text, defaults filled, principal null on a public route', async () => {
    const { app, calls } = appWithRecordingRoute();
    const answer = await request(app).post('/api/things/41').send({ name: 'ab' }).expect(201);
    expect(answer.body).toEqual({ id: 42, limit: 5, name: 'AB' });
    expect(calls).toEqual([{ params: { id: 41 }, query: { limit: 5 }, body: { name: 'ab' }, principal: null }]);
  });

  it.each([
    ['a path parameter', '/api/things/zero', { name: 'ab' }, 'path', 'id', 'wrong_type'],
    ['a query parameter', '/api/things/1?limit=11', { name: 'ab' }, 'query', 'limit', 'too_big'],
    ['a body field', '/api/things/1', { name: 'a' }, 'body', 'name', 'too_small'],
    ['an unknown body field', '/api/things/1', { name: 'ab', extra: 1 }, 'body', '(root)', 'unknown_field'],
  ])('refuses %s with 400 naming the field, and never runs the handler', async (_what, url, body, where, field, code) => {
    const { app, calls } = appWithRecordingRoute();
    const answer = (await request(app).post(url).send(body)) as unknown as Refusal;
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_request');
    expect(answer.body.error.message).toMatch(new RegExp(`^Invalid ${where}: `));
    expect(answer.body.error.details.fields).toEqual([expect.objectContaining({ field, code, message: expect.any(String), messageZh: expect.any(String) })]);
    expect(calls).toEqual([]);
  });

  it('parses params before query before body: the first bad part answers', async () => {
    const { app, calls } = appWithRecordingRoute();
    const answer = (await request(app).post('/api/things/0?limit=99').send({})) as unknown as Refusal;
    expect(answer.body.error.message).toMatch(/^Invalid path: id /);
    expect(calls).toEqual([]);
  });
});

/**
 * Handlers that still parse request input themselves, each with why the registry cannot: the schema
 * depends on something only the handler knows. Any other parse of params, query or body belongs in
 * the route's declared `schemas`.
 */
const PARSES_IN_HANDLER: Record<string, string> = {
  'ogc/routes.ts': 'an OGC items query: sort keys, properties and filter are checked against the collection named in the path',
  'compounds/routes.ts': 'a compound drill-down: purpose is required only of callers who see person data',
};
const PARSE_CALL = /\bparse(?:Query|Params|Body)\(|\.safeParse\(|\b\w+(?:Schema|Query|Body|Params)\.parse\(/;

describe('handlers receive their input parsed', () => {
  it('parse request input only where the schema depends on the caller or the path (listed with the reason)', () => {
    const parsing = sourceFiles(SERVER)
      .map((file) => path.relative(SERVER, file).split(path.sep).join('/'))
      .filter((file) => /(?:^|\/)route[^/]*\.ts$/.test(file) && !file.startsWith('http/'))
      .filter((file) => PARSE_CALL.test(fs.readFileSync(path.join(SERVER, file), 'utf8')));
    expect(parsing.sort()).toEqual(Object.keys(PARSES_IN_HANDLER).sort());
  });
});
