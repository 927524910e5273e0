import fs from 'node:fs';
import { z } from 'zod';
import { SESSION_COOKIE } from '../auth/session.ts';
import { urlPathOf, type RouteSpec } from '../http/route-registry.ts';

/**
 * The OpenAPI 3.1 document of every registered route, built from the route registry: the
 * zod schemas a route validates with become its parameters and request body, its access
 * becomes the security requirement plus x-roles (or x-public).
 */

export type JsonSchema = { [key: string]: unknown };

export interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface Operation {
  operationId: string;
  summary: string;
  tags: string[];
  security: Record<string, string[]>[];
  'x-roles'?: string[];
  'x-public'?: true;
  parameters: Parameter[];
  requestBody?: { required: true; content: { 'application/json': { schema: JsonSchema } } };
  responses: Record<string, { $ref: string } | { description: string }>;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, unknown>;
}

const VERSION: string = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

/** JSON Schema of what a client sends (a schema's input side: before coercion and transforms). */
function inputSchemaOf(schema: z.ZodType): JsonSchema {
  // 'any' for what JSON Schema cannot say (custom checks), so one odd route cannot break the document.
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return jsonSchema;
}

/** Express ':name' segments as OpenAPI '{name}' templates. */
export const templateOf = (spec: RouteSpec) => urlPathOf(spec).replace(/:(\w+)/g, '{$1}');
const pathParameterNames = (spec: RouteSpec) => [...spec.path.matchAll(/:(\w+)/g)].map((match) => match[1]);

function parametersOf(spec: RouteSpec): Parameter[] {
  const pathSchema = spec.schemas?.params ? inputSchemaOf(spec.schemas.params) : {};
  const pathProperties = (pathSchema.properties ?? {}) as Record<string, JsonSchema>;
  const inPath = pathParameterNames(spec).map((name): Parameter => {
    const schema = pathProperties[name] ?? { type: 'string' };
    return { name, in: 'path', required: true, ...describedBy(schema), schema };
  });
  const querySchema = spec.schemas?.query ? inputSchemaOf(spec.schemas.query) : {};
  const required = new Set((querySchema.required ?? []) as string[]);
  const inQuery = Object.entries((querySchema.properties ?? {}) as Record<string, JsonSchema>).map(
    ([name, schema]): Parameter => ({ name, in: 'query', required: required.has(name), ...describedBy(schema), schema }),
  );
  return [...inPath, ...inQuery];
}

const describedBy = (schema: JsonSchema) => (typeof schema.description === 'string' ? { description: schema.description } : {});

/** The first path word after /api, less any extension, names the feature: its tag. */
const tagOf = (spec: RouteSpec) => (urlPathOf(spec).split('/').filter((part) => part && part !== 'api')[0] ?? 'api').replace(/\..*$/, '');

const operationIdOf = (spec: RouteSpec) =>
  spec.method +
  templateOf(spec)
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join('');

function responsesOf(spec: RouteSpec, parameters: Parameter[]): Operation['responses'] {
  const problem = { $ref: '#/components/responses/Error' };
  return {
    '200': { description: 'Success' },
    ...(parameters.length > 0 || spec.schemas?.body ? { '400': problem } : {}),
    ...(spec.access === 'public' ? {} : { '401': problem, '403': problem }),
    default: problem,
  };
}

function operationOf(spec: RouteSpec): Operation {
  const parameters = parametersOf(spec);
  const access = spec.access === 'public' ? { security: [], 'x-public': true as const } : { security: [{ session: [] }], 'x-roles': [...spec.access] };
  return {
    operationId: operationIdOf(spec),
    summary: spec.summary,
    tags: [tagOf(spec)],
    ...access,
    parameters,
    ...(spec.schemas?.body ? { requestBody: { required: true, content: { 'application/json': { schema: inputSchemaOf(spec.schemas.body) } } } } : {}),
    responses: responsesOf(spec, parameters),
  };
}

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'messageZh'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, messageZh: { type: 'string', description: 'The same in Chinese' }, details: {} },
    },
  },
};

export function buildOpenApiDocument(specs: RouteSpec[]): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const spec of specs) {
    paths[templateOf(spec)] = { ...paths[templateOf(spec)], [spec.method]: operationOf(spec) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'renwu (人屋) API',
      version: VERSION,
      description:
        'Every route of the server. Routes with security `session` need the session cookie from POST /api/auth/login ' +
        '(and the X-CSRF-Token header on writes); x-roles lists the roles allowed. /ogc and /tiles sit at the root, the rest under /api.',
    },
    paths,
    components: {
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } },
      schemas: { Error: ERROR_SCHEMA },
      responses: {
        Error: { description: 'Error: { error: { code, message, messageZh, details } }', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    },
  };
}
