import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { z } from 'zod';
import type { Role } from '../../server/db/schema.ts';
import { urlPathOf, type RouteSpec } from '../../server/http/route-registry.ts';
import { apiRoutes } from '../../server/routes.ts';
import type { LoggedIn, TestApp } from '../helpers/app.ts';
import { FIXTURE } from '../helpers/fixture-city.ts';
import { daysAgo, floatingAdult, idCard, REGISTRATION, signedIn, startRegistrationApp } from '../helpers/registration-fixture.ts';

/**
 * Issue 14.5: JSON bodies are typed strictly. `{"personId": true}` once moved person 1, `[2]`
 * person 2 and `"3"` person 3. Every number field of every write route's body (found in the route
 * registry's zod schemas, nested ones too) gets values of the wrong type or out of range: each
 * answer is a 400 naming the field, and nothing in the database changes. Query strings and path
 * parameters are text: "3" is read as 3 there, but "", " 3", "0x10" and "1e1" are not numbers.
 */

type JsonSchema = { [key: string]: unknown };
/** One step from a body down to a number field: a property (with the constant siblings that select a union's variant) or an array's first item. */
type Step = { key: string; constants: Record<string, unknown> } | { index: 0 };
interface NumberField {
  steps: Step[];
  schema: JsonSchema;
}

const constantsOf = (properties: Record<string, JsonSchema>) =>
  Object.fromEntries(
    Object.entries(properties)
      .filter(([, schema]) => 'const' in schema)
      .map(([key, schema]) => [key, schema.const]),
  );

/** Every number field of a JSON Schema (as zod writes it), with the way down to it. */
function numberFields(schema: JsonSchema, steps: Step[] = []): NumberField[] {
  const type = schema.type;
  if (type === 'integer' || type === 'number') return [{ steps, schema }];
  const options = [...((schema.anyOf ?? []) as JsonSchema[]), ...((schema.oneOf ?? []) as JsonSchema[])];
  // A nullable number is one field, not two.
  const numberOption = options.find((option) => option.type === 'integer' || option.type === 'number');
  if (numberOption) return [{ steps, schema: { ...numberOption, nullable: true } }];
  const found = options.flatMap((option) => numberFields(option, steps));
  if (type === 'object') {
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    const constants = constantsOf(properties);
    for (const [key, child] of Object.entries(properties)) found.push(...numberFields(child, [...steps, { key, constants }]));
  }
  if (type === 'array' && schema.items) found.push(...numberFields(schema.items as JsonSchema, [...steps, { index: 0 }]));
  return found;
}

/** A body holding `value` at the field (and only what selects the field's union variant besides). */
function bodyWith(steps: Step[], value: unknown): unknown {
  if (steps.length === 0) return value;
  const [step, ...rest] = steps;
  if ('index' in step!) return [bodyWith(rest, value)];
  return { ...step!.constants, [step!.key]: bodyWith(rest, value) };
}

const fieldName = (steps: Step[]) => steps.map((step) => ('index' in step ? '0' : step.key)).join('.');

/** Values no number field may take: other JSON types, and whatever its bounds exclude. */
function wrongValues(schema: JsonSchema): unknown[] {
  const values: unknown[] = [true, false, [2], '3', '', { value: 3 }];
  if (!schema.nullable) values.push(null);
  if (schema.type === 'integer') values.push(3.5);
  const minimum = (schema.minimum ?? schema.exclusiveMinimum) as number | undefined;
  if (minimum !== undefined && minimum >= -1) values.push(-1);
  if (typeof schema.maximum === 'number') values.push(schema.maximum + 1);
  return values;
}

let t: TestApp;
const sessions = new Map<Role, LoggedIn>();
const personIds: number[] = [];

/** Every table's rows, hashed: what a refused request must leave as it was (sessions and the audit trail aside). */
async function databaseState(): Promise<Record<string, string>> {
  const tables = await sql<{ name: string }>`
    SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'
      AND tablename !~ '(session|audit|login|heatmap|cache)' ORDER BY tablename`.execute(t.handle.db);
  const state: Record<string, string> = {};
  for (const { name } of tables.rows) {
    const row = await sql<{ digest: string | null }>`SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS digest FROM ${sql.table(name)} AS t`.execute(
      t.handle.db,
    );
    state[name] = row.rows[0]!.digest ?? 'empty';
  }
  return state;
}

beforeAll(async () => {
  t = await startRegistrationApp();
  for (const role of ['police', 'admin', 'planner'] as const) {
    sessions.set(role, await signedIn(t, role));
    rawAgents.set(role, await rawAgentOf(role));
  }
  // People 1, 2 and 3 exist, so a coerced true, [2] or "3" would find someone to act on.
  for (const sequence of [1, 2, 3]) {
    const moved = await sessions
      .get('police')!
      .post('/api/registrations/move-in', {
        unitCode: REGISTRATION.westUnit(1, 1),
        movedIn: daysAgo(3),
        person: floatingAdult(idCard('1990-01-01', sequence), `测试${sequence}`),
      })
      .expect(201);
    personIds.push(moved.body.personId ?? moved.body.person?.id);
  }
}, 60_000);
afterAll(async () => t?.close());

/** The role that calls a route here: police for registrations, admin or planner otherwise. */
const callerOf = (spec: RouteSpec): Role | undefined =>
  (['police', 'admin', 'planner'] as const).find((role) => spec.access !== 'public' && spec.access.includes(role));

/** The route's URL with every path parameter filled with something valid-looking: the body is checked first or alone. */
const urlOf = (spec: RouteSpec) => urlPathOf(spec).replace(/:(\w+)/g, (_match, name: string) => (name === 'code' ? FIXTURE.westHouse : '1'));

/** Sends `body` as JSON text: supertest would refuse to send a bare array or scalar itself. */
const sendJson = (role: Role, spec: RouteSpec, body: unknown) => rawAgents.get(role)!.call(spec.method, urlOf(spec), JSON.stringify(body));

const rawAgents = new Map<Role, { call: (method: string, url: string, text: string) => request.Test }>();
async function rawAgentOf(role: Role) {
  const agent = request.agent(t.app);
  const login = await agent.post('/api/auth/login').send({ username: role, password: FIXTURE.password }).expect(200);
  const call = (method: string, url: string, text: string) =>
    (agent as unknown as Record<string, (url: string) => request.Test>)[method]!(url)
      .set('X-CSRF-Token', login.body.csrfToken)
      .set('Content-Type', 'application/json')
      .send(text);
  return { call };
}

describe('JSON bodies are typed strictly', () => {
  it('replays the attack: personId true, [2] and "3" move nobody', async () => {
    expect(personIds).toEqual([1, 2, 3]);
    const police = sessions.get('police')!;
    const before = await databaseState();
    for (const personId of [true, [2], '3']) {
      const response = await police.post('/api/registrations/move', { personId, toUnitCode: REGISTRATION.westUnit(2, 2), movedOn: daysAgo(1) });
      expect(response.status, JSON.stringify(personId)).toBe(400);
      expect(response.body.error.details.fields.map((field: { field: string }) => field.field)).toContain('personId');
    }
    expect(await databaseState()).toEqual(before);
  });

  it('refuses every wrong value in every number field of every write route with a 400 naming the field', async () => {
    const writes = apiRoutes(t.context).filter((spec) => spec.method !== 'get' && spec.schemas?.body);
    const fields = writes.flatMap((spec) =>
      numberFields(z.toJSONSchema(spec.schemas!.body!, { io: 'input', unrepresentable: 'any' }) as JsonSchema).map((field) => ({ spec, ...field })),
    );
    // The fields the review named, and the nested ones, are among those found.
    const found = fields.map(({ spec, steps }) => `${spec.method} ${urlPathOf(spec)} ${fieldName(steps)}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'post /api/registrations/move personId',
        'post /api/registrations/move-out personId',
        'post /api/permits personId',
        'post /api/permits/:id/renew years',
        'post /api/rentals/person-flags personId',
        'post /api/rentals/inspections people.0.personId',
        'put /api/collectors/settings floatingPerCollector',
      ]),
    );
    const before = await databaseState();
    const failures: string[] = [];
    let calls = 0;
    for (const { spec, steps, schema } of fields) {
      const role = callerOf(spec);
      if (!role) continue;
      for (const value of wrongValues(schema)) {
        const response = await sendJson(role, spec, bodyWith(steps, value));
        calls += 1;
        const named = (response.body?.error?.details?.fields ?? []).some((field: { field: string }) => field.field === fieldName(steps));
        if (response.status !== 400 || !named)
          failures.push(
            `${spec.method} ${urlPathOf(spec)} ${fieldName(steps)}=${JSON.stringify(value)} → ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`,
          );
      }
    }
    expect(calls).toBeGreaterThan(100);
    expect(failures).toEqual([]);
    expect(await databaseState()).toEqual(before);
  }, 120_000);
});

describe('query strings and path parameters are text, read strictly', () => {
  it('reads "3" as 3 but refuses empty, padded, hexadecimal, exponent and repeated numbers', async () => {
    const admin = sessions.get('admin')!;
    await admin.get('/api/users?limit=3').expect(200);
    for (const limit of ['', ' 3', '0x10', '1e1', '3abc', 'true']) {
      const response = await admin.get(`/api/users?limit=${encodeURIComponent(limit)}`);
      expect(response.status, `limit=${JSON.stringify(limit)}`).toBe(400);
      expect(response.body.error.details.fields[0].field).toBe('limit');
    }
    await admin.get('/api/users?limit=3&limit=4').expect(400);
    const police = sessions.get('police')!;
    await police.get(`/api/people/${personIds[0]}?purpose=核查`).expect(200);
    for (const id of ['0x1', '1e0', '%201']) {
      const response = await police.get(`/api/people/${id}?purpose=核查`);
      expect(response.status, `id ${id}`).toBe(400);
      expect(response.body.error.details.fields[0].field).toBe('id');
    }
  });
});

describe('no coercion creeps back', () => {
  it('uses z.coerce nowhere in the server but the environment (config.ts)', () => {
    const server = path.resolve(import.meta.dirname, '../../server');
    const coercing = (fs.readdirSync(server, { recursive: true }) as string[])
      .filter((file) => file.endsWith('.ts') && file !== 'config.ts')
      .filter((file) => fs.readFileSync(path.join(server, file), 'utf8').includes('z.coerce'));
    expect(coercing).toEqual([]);
  });
});
