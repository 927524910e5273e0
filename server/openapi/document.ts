import fs from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import { SESSION_COOKIE } from '../auth/session.ts';
import { chineseOf } from '../http/messages-zh.ts';
import { urlPathOf, type ResponseSpec, type RouteSpec } from '../http/route-registry.ts';

/**
 * The OpenAPI 3.1 document of every registered route, built from the route registry: the
 * zod schemas a route validates with become its parameters and request body, its access
 * becomes the security requirement plus x-roles (or x-public).
 */

/** The media type of this document, as the OGC landing page links it. */
export const OPENAPI_MEDIA_TYPE = 'application/vnd.oai.openapi+json;version=3.1';

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
  requestBody?: { required: true; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, ResponseObject>;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; license: { name: string; identifier: string }; description: string };
  servers: { url: string; description: string }[];
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
const pathParameterNames = (spec: RouteSpec) => [...spec.path.matchAll(/:(\w+)/g)].map((match) => match[1]!);

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
const tagOf = (spec: RouteSpec) =>
  (
    urlPathOf(spec)
      .split('/')
      .filter((part) => part && part !== 'api')[0] ?? 'api'
  ).replace(/\..*$/, '');

const operationIdOf = (spec: RouteSpec) =>
  spec.method +
  templateOf(spec)
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');

type ResponseObject = { $ref: string } | { description: string; content?: Record<string, MediaType>; headers?: Record<string, unknown> };
interface MediaType {
  schema: JsonSchema;
  example?: unknown;
}

/** JSON Schema of what the server sends (a schema's output side). */
function outputSchemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as JsonSchema;
  return jsonSchema;
}

const isJson = (contentType: string) => /[/+]json\b/.test(contentType);
/** A body with no zod schema: JSON is an object, text (CSV, HTML, NDJSON) is a string, anything else bytes. */
const opaqueSchemaOf = (contentType: string): JsonSchema =>
  isJson(contentType) ? { type: 'object' } : /^text\/|ndjson/.test(contentType) ? { type: 'string' } : { type: 'string', format: 'binary' };

/** The first value a schema names itself (examples, const, default, enum), else a plain one of its type. */
export function exampleOf(schema: JsonSchema): unknown {
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  for (const key of ['const', 'default'] as const) if (schema[key] !== undefined) return schema[key];
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const variants = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  const variant = variants?.find((candidate) => candidate.type !== 'null') ?? variants?.[0];
  if (variant) return exampleOf(variant);
  if (Array.isArray(schema.allOf)) return exampleOf(schema.allOf[0] as JsonSchema);
  const type = Array.isArray(schema.type) ? schema.type.find((name) => name !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      return Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, exampleOf(property)]));
    }
    case 'array': {
      const items = schema.items as JsonSchema | undefined;
      const count = typeof schema.minItems === 'number' ? schema.minItems : items ? 1 : 0;
      return Array.from({ length: count }, () => exampleOf(items ?? {}));
    }
    case 'integer':
    case 'number':
      return numberExampleOf(schema);
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'string':
      return stringExampleOf(schema);
    default:
      return null;
  }
}

/** The lower bound when the schema sets a real one (zod's int() bounds are the safe-integer range: no example), else 1. */
function numberExampleOf(schema: JsonSchema): number {
  const real = (bound: unknown): bound is number => typeof bound === 'number' && bound > Number.MIN_SAFE_INTEGER;
  if (real(schema.minimum)) return schema.minimum;
  if (real(schema.exclusiveMinimum)) return Math.floor(schema.exclusiveMinimum) + 1;
  return 1;
}

const STRING_FORMATS: Record<string, string> = {
  date: '2026-12-04',
  'date-time': '2026-12-04T08:00:00.000Z',
  uuid: '3f2b8c1e-4d5a-4b6c-8e7f-9a0b1c2d3e4f',
  uri: 'https://example.org/',
};
function stringExampleOf(schema: JsonSchema): string {
  const format = typeof schema.format === 'string' ? STRING_FORMATS[schema.format] : undefined;
  if (format) return format;
  const length = typeof schema.minLength === 'number' ? schema.minLength : 0;
  return 'text'.padEnd(length, 'x');
}

function mediaOf(response: ResponseSpec): Record<string, MediaType> | undefined {
  if (!response.schema && !response.contentType) return undefined;
  const contentTypes = [response.contentType ?? 'application/json'].flat();
  return Object.fromEntries(
    contentTypes.map((contentType) => {
      // One schema describes the JSON answer; an HTML page or a file beside it is text or bytes.
      const schema = response.schema && isJson(contentType) ? outputSchemaOf(response.schema) : opaqueSchemaOf(contentType);
      const example = isJson(contentType) ? (response.example ?? exampleOf(schema)) : undefined;
      return [contentType, { schema, ...(example === undefined ? {} : { example }) }];
    }),
  );
}

/** The error answers a route of this kind can give; its own `responses` add to and refine them. */
function errorStatusesOf(spec: RouteSpec): number[] {
  const hasBody = Boolean(spec.schemas?.body || spec.readsOwnBody);
  const names = pathParameterNames(spec).length > 0;
  return [
    ...(names || spec.schemas?.query || spec.schemas?.params || hasBody ? [400] : []),
    ...(spec.access === 'public' ? [] : [401, 403]),
    ...(names ? [404] : []),
    ...(hasBody ? [413, 415] : []),
    429,
  ];
}

/** Under /ogc errors are RFC 7807 problems; everywhere else the project's { error } body. */
const errorFamilyOf = (spec: RouteSpec) => (templateOf(spec).startsWith('/ogc') ? 'Problem' : 'Error');

function errorResponseOf(spec: RouteSpec, status: number, own?: ResponseSpec): ResponseObject {
  const family = errorFamilyOf(spec);
  if (!own) return { $ref: `#/components/responses/${family}${status}` };
  if (own.schema || own.contentType) return { description: own.description, content: mediaOf(own) };
  const media = family === 'Problem' ? 'application/problem+json' : 'application/json';
  return { description: own.description, content: { [media]: { schema: { $ref: `#/components/schemas/${family}` } } } };
}

function responsesOf(spec: RouteSpec): Operation['responses'] {
  const own = spec.responses ?? {};
  const successes = Object.entries(own).filter(([status]) => Number(status) < 400);
  const responses: Operation['responses'] = {};
  for (const [status, response] of successes) {
    const content = mediaOf(response);
    responses[status] = { description: response.description, ...(content ? { content } : {}) };
  }
  if (successes.length === 0) responses['200'] = { description: 'Success' };
  const errors = new Set([
    ...errorStatusesOf(spec),
    ...Object.keys(own)
      .map(Number)
      .filter((status) => status >= 400),
  ]);
  for (const status of [...errors].sort((a, b) => a - b)) responses[String(status)] = errorResponseOf(spec, status, own[status]);
  responses.default = { $ref: `#/components/responses/${errorFamilyOf(spec)}` };
  return responses;
}

/** A JSON body from its zod schema; an upload (readsOwnBody) as multipart with a `file` field, or the bare file. */
function requestBodyOf(spec: RouteSpec): Operation['requestBody'] {
  if (spec.schemas?.body) return { required: true, content: { 'application/json': { schema: inputSchemaOf(spec.schemas.body) } } };
  if (!spec.readsOwnBody) return undefined;
  const file = { type: 'string', format: 'binary', description: 'The file (CSV, XLSX, GeoJSON, ...)' };
  return {
    required: true,
    content: {
      'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file } } },
      'application/octet-stream': { schema: file },
    },
  };
}

/** Sessions, and for the GIS routes that take one a personal access token instead; writes also need the CSRF header. */
function securityOf(spec: RouteSpec): Operation['security'] {
  if (spec.access === 'public') return [];
  const session: Record<string, string[]> = spec.method === 'get' ? { session: [] } : { session: [], csrf: [] };
  return spec.acceptsAccessToken ? [session, { accessToken: [] }] : [session];
}

function operationOf(spec: RouteSpec): Operation {
  const parameters = parametersOf(spec);
  const access = spec.access === 'public' ? { 'x-public': true as const } : { 'x-roles': [...spec.access] };
  const requestBody = requestBodyOf(spec);
  return {
    operationId: operationIdOf(spec),
    summary: spec.summary,
    tags: [tagOf(spec)],
    security: securityOf(spec),
    ...access,
    parameters,
    ...(requestBody ? { requestBody } : {}),
    responses: responsesOf(spec),
  };
}

const FIELD_ISSUE_SCHEMA = {
  type: 'object',
  required: ['field', 'code', 'message', 'messageZh'],
  properties: {
    field: { type: 'string', examples: ['limit'] },
    code: { type: 'string', examples: ['too_big'] },
    message: { type: 'string' },
    messageZh: { type: 'string' },
  },
};

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'messageZh'],
      properties: {
        code: { type: 'string', description: 'Stable machine-readable code', examples: ['invalid_request'] },
        message: { type: 'string', examples: ['Invalid query: limit must be at most 10000'] },
        messageZh: { type: 'string', description: 'The same in Chinese', examples: ['查询参数无效：limit 不能大于 10000'] },
        details: {
          type: 'object',
          description: 'More about the error; a 400 names each refused field under `fields`',
          properties: { fields: { type: 'array', items: FIELD_ISSUE_SCHEMA } },
        },
      },
    },
  },
};

/** RFC 7807, as the OGC API answers its errors, with the project's code, Chinese detail and fields beside. */
const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code', 'detailZh'],
  properties: {
    type: { type: 'string', examples: ['urn:renwu:error:invalid_request'] },
    title: { type: 'string', examples: ['Bad Request'] },
    status: { type: 'integer', examples: [400] },
    detail: { type: 'string', examples: ['Invalid query: limit must be at most 10000'] },
    code: { type: 'string', examples: ['invalid_request'] },
    detailZh: { type: 'string', examples: ['查询参数无效：limit 不能大于 10000'] },
    fields: { type: 'array', items: FIELD_ISSUE_SCHEMA },
  },
};

const ERROR_ANSWERS: Record<number, [description: string, code: string, message: string]> = {
  400: ['The request is invalid: the answer names each refused field', 'invalid_request', 'Invalid query: limit must be at most 10000'],
  401: ['Not logged in, or the session has ended', 'unauthenticated', 'Log in first'],
  403: ['The role, jurisdiction or a pending password change does not allow this', 'forbidden', 'Your role may not do this'],
  404: ["Nothing has that identifier (or it lies outside the caller's jurisdiction)", 'not_found', 'Building 440304001001 not found'],
  409: ['The change conflicts with what is stored', 'conflict', 'The database refused the change (conflict)'],
  413: ['The request body is too large', 'body_too_large', 'Request body is too large'],
  415: ['The body is not in a media type the route reads', 'unsupported_charset', 'A JSON body must be UTF-8'],
  429: ['Too many requests: wait for the number of seconds in Retry-After', 'rate_limited', 'Too many requests from this address: at most 600 a minute'],
};

/** components.responses: Error400 ... Error429 and Problem400 ... Problem429, each with an example. */
function errorComponents(): Record<string, unknown> {
  const components: Record<string, unknown> = {};
  for (const [status, [description, code, message]] of Object.entries(ERROR_ANSWERS)) {
    const messageZh = chineseOf(code, Number(status));
    const headers = status === '429' ? { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } } : undefined;
    components[`Error${status}`] = {
      description,
      ...(headers ? { headers } : {}),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' }, example: { error: { code, message, messageZh } } } },
    };
    const problem = {
      type: `urn:renwu:error:${code}`,
      title: STATUS_CODES[Number(status)],
      status: Number(status),
      detail: message,
      code,
      detailZh: messageZh,
    };
    components[`Problem${status}`] = {
      description,
      ...(headers ? { headers } : {}),
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' }, example: problem } },
    };
  }
  components.Error = {
    description: 'Any other error (500 internal, 503 query_timeout or data_node_unavailable)',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  };
  components.Problem = {
    description: 'Any other error, as an RFC 7807 problem',
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  };
  return components;
}

/** Only the shared answers some operation refers to (an unused one is noise to a reader and to linters). */
function usedBy(paths: OpenApiDocument['paths'], components: Record<string, unknown>): Record<string, unknown> {
  const text = JSON.stringify(paths);
  return Object.fromEntries(Object.entries(components).filter(([name]) => text.includes(`"#/components/responses/${name}"`)));
}

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
      license: { name: 'Proprietary', identifier: 'LicenseRef-renwu' },
      description:
        'Every route of the server. Routes with security `session` need the session cookie from POST /api/auth/login ' +
        '(and the X-CSRF-Token header on writes); x-roles lists the roles allowed. /ogc and /tiles sit at the root, the rest under /api.',
    },
    servers: [{ url: '/', description: 'This server' }],
    paths,
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The session cookie POST /api/auth/login sets' },
        csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token', description: 'The csrfToken of the login answer (or GET /api/auth/me), on every write' },
        accessToken: { type: 'http', scheme: 'bearer', description: 'A personal access token (POST /api/auth/tokens) for GIS clients' },
      },
      schemas: { Error: ERROR_SCHEMA, Problem: PROBLEM_SCHEMA },
      responses: usedBy(paths, errorComponents()),
    },
  };
}
