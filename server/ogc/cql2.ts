import { sql, type RawBuilder } from 'kysely';
import type { OgcCollection, Queryable } from './collections.ts';

/**
 * CQL2 filters (OGC API Features Part 3, CQL2 1.0) over a collection's queryables: comparisons,
 * LIKE, IN, BETWEEN, IS NULL, AND/OR/NOT and S_INTERSECTS with a BBOX, POINT or POLYGON literal,
 * in cql2-text or cql2-json. The filter becomes a parameterised SQL condition: every literal is a
 * bound parameter and every column comes from the queryables map, never from the filter's text.
 */

export type FilterLang = 'cql2-text' | 'cql2-json';

/** A filter the parser refuses, in English and Chinese: the route answers 400 naming `filter`. */
export class FilterError extends Error {
  constructor(
    message: string,
    readonly zh: string,
  ) {
    super(message);
  }
}

const MAX_FILTER_LENGTH = 4000;
/** Deeper than any hand-written filter; keeps the recursive parser and Postgres's planner safe. */
const MAX_DEPTH = 20;
const MAX_NODES = 200;
/** The geometry property S_INTERSECTS names (each collection has one geometry). */
export const GEOMETRY_PROPERTY = 'geometry';

type Scalar = { kind: 'property'; name: string } | { kind: 'string'; value: string } | { kind: 'number'; value: number } | { kind: 'boolean'; value: boolean };
type Geometry = { kind: 'bbox'; box: number[] } | { kind: 'geojson'; geojson: { type: 'Point' | 'Polygon'; coordinates: unknown } };
const COMPARISONS = ['=', '<>', '<', '<=', '>', '>='] as const;
type Comparison = (typeof COMPARISONS)[number];

export type FilterNode =
  | { op: 'and' | 'or'; args: FilterNode[] }
  | { op: 'not'; arg: FilterNode }
  | { op: Comparison; left: Scalar; right: Scalar }
  | { op: 'like'; left: Scalar; pattern: Scalar }
  | { op: 'in'; left: Scalar; list: Scalar[] }
  | { op: 'between'; left: Scalar; low: Scalar; high: Scalar }
  | { op: 'isNull'; operand: Scalar }
  | { op: 's_intersects'; geometry: Geometry };

const fail = (message: string, zh: string): never => {
  throw new FilterError(`filter: ${message}`, `filter：${zh}`);
};

// ---------------------------------------------------------------- cql2-text

type Token = { kind: 'word' | 'string' | 'number' | 'symbol'; text: string; at: number };

const TOKEN =
  /\s*(?:(?<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(?<string>'(?:[^']|'')*')|(?<quoted>"[A-Za-z_][A-Za-z0-9_]*")|(?<word>[A-Za-z_][A-Za-z0-9_]*)|(?<symbol><>|<=|>=|[=<>(),]))/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (text.slice(at).trim() !== '') {
    TOKEN.lastIndex = at;
    const match = TOKEN.exec(text);
    if (!match?.groups) {
      const position = text.length - text.slice(at).trimStart().length + 1;
      return fail(`cannot read the text at character ${position}`, `无法识别第 ${position} 个字符处的内容`);
    }
    const { number, string, quoted, word, symbol } = match.groups;
    if (number !== undefined) tokens.push({ kind: 'number', text: number, at });
    else if (string !== undefined) tokens.push({ kind: 'string', text: string.slice(1, -1).replaceAll("''", "'"), at });
    else if (quoted !== undefined) tokens.push({ kind: 'word', text: quoted.slice(1, -1), at });
    else if (word !== undefined) tokens.push({ kind: 'word', text: word, at });
    else tokens.push({ kind: 'symbol', text: symbol!, at });
    at = TOKEN.lastIndex;
  }
  return tokens;
}

/** A recursive-descent reader of the CQL2 text grammar's basic, comparison and spatial parts. */
class TextParser {
  private index = 0;
  private nodes = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): FilterNode {
    const node = this.or(0);
    const rest = this.tokens[this.index];
    if (rest) fail(`unexpected "${rest.text}" after the end of the expression`, `表达式结束后出现多余的“${rest.text}”`);
    return node;
  }

  private peek = () => this.tokens[this.index];
  private isWord = (word: string, token = this.peek()) => token?.kind === 'word' && token.text.toUpperCase() === word;
  private isSymbol = (symbol: string) => this.peek()?.kind === 'symbol' && this.peek()!.text === symbol;
  private next(): Token {
    const token = this.tokens[this.index++];
    return token ?? fail('the expression ends too early', '表达式不完整');
  }
  private expectSymbol(symbol: string) {
    const token = this.next();
    if (token.kind !== 'symbol' || token.text !== symbol) fail(`expected "${symbol}" but found "${token.text}"`, `应为“${symbol}”，实为“${token.text}”`);
  }
  private expectWord(word: string) {
    const token = this.next();
    if (!this.isWord(word, token)) fail(`expected ${word} but found "${token.text}"`, `应为 ${word}，实为“${token.text}”`);
  }
  private enter(depth: number) {
    if (depth > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH} levels`, `嵌套超过 ${MAX_DEPTH} 层`);
    if (++this.nodes > MAX_NODES) fail(`has more than ${MAX_NODES} terms`, `条件超过 ${MAX_NODES} 项`);
  }

  private or(depth: number): FilterNode {
    this.enter(depth);
    const args = [this.and(depth + 1)];
    while (this.isWord('OR')) {
      this.index++;
      args.push(this.and(depth + 1));
    }
    return args.length === 1 ? args[0]! : { op: 'or', args };
  }

  private and(depth: number): FilterNode {
    this.enter(depth);
    const args = [this.not(depth + 1)];
    while (this.isWord('AND')) {
      this.index++;
      args.push(this.not(depth + 1));
    }
    return args.length === 1 ? args[0]! : { op: 'and', args };
  }

  private not(depth: number): FilterNode {
    this.enter(depth);
    if (this.isWord('NOT')) {
      this.index++;
      return { op: 'not', arg: this.not(depth + 1) };
    }
    if (this.isSymbol('(')) {
      this.index++;
      const inner = this.or(depth + 1);
      this.expectSymbol(')');
      return inner;
    }
    if (this.isWord('S_INTERSECTS')) return this.intersects();
    return this.predicate();
  }

  private predicate(): FilterNode {
    const left = this.scalar();
    const token = this.next();
    if (token.kind === 'symbol' && (COMPARISONS as readonly string[]).includes(token.text)) return { op: token.text as Comparison, left, right: this.scalar() };
    const negated = this.isWord('NOT', token);
    const operator = negated ? this.next() : token;
    const node = this.operatorAfter(left, operator);
    return negated ? { op: 'not', arg: node } : node;
  }

  private operatorAfter(left: Scalar, operator: Token): FilterNode {
    if (this.isWord('LIKE', operator)) return { op: 'like', left, pattern: this.scalar() };
    if (this.isWord('BETWEEN', operator)) {
      const low = this.scalar();
      this.expectWord('AND');
      return { op: 'between', left, low, high: this.scalar() };
    }
    if (this.isWord('IN', operator)) {
      this.expectSymbol('(');
      const list = [this.scalar()];
      while (this.isSymbol(',')) {
        this.index++;
        list.push(this.scalar());
      }
      this.expectSymbol(')');
      return { op: 'in', left, list };
    }
    if (this.isWord('IS', operator)) {
      const negated = this.isWord('NOT');
      if (negated) this.index++;
      this.expectWord('NULL');
      const node: FilterNode = { op: 'isNull', operand: left };
      return negated ? { op: 'not', arg: node } : node;
    }
    return fail(
      `expected a comparison (=, <>, <, <=, >, >=, LIKE, IN, BETWEEN, IS NULL) but found "${operator.text}"`,
      `应为比较运算（=、<>、<、<=、>、>=、LIKE、IN、BETWEEN、IS NULL），实为“${operator.text}”`,
    );
  }

  private scalar(): Scalar {
    const token = this.next();
    if (token.kind === 'string') return { kind: 'string', value: token.text };
    if (token.kind === 'number') return { kind: 'number', value: Number(token.text) };
    if (this.isWord('TRUE', token) || this.isWord('FALSE', token)) return { kind: 'boolean', value: token.text.toUpperCase() === 'TRUE' };
    if (token.kind === 'word' && !KEYWORDS.has(token.text.toUpperCase())) return { kind: 'property', name: token.text };
    return fail(`expected a property name or a literal but found "${token.text}"`, `应为属性名或字面值，实为“${token.text}”`);
  }

  private numbers(): number[] {
    const numbers = [this.number()];
    while (this.isSymbol(',')) {
      this.index++;
      numbers.push(this.number());
    }
    return numbers;
  }
  private number(): number {
    const token = this.next();
    return token.kind === 'number' ? Number(token.text) : fail(`expected a number but found "${token.text}"`, `应为数字，实为“${token.text}”`);
  }
  /** Positions "x y, x y, ...": the coordinates of a WKT ring. */
  private positions(): number[][] {
    const positions = [[this.number(), this.number()]];
    while (this.isSymbol(',')) {
      this.index++;
      positions.push([this.number(), this.number()]);
    }
    return positions;
  }

  private intersects(): FilterNode {
    this.index++;
    this.expectSymbol('(');
    const property = this.next();
    if (property.kind !== 'word' || property.text !== GEOMETRY_PROPERTY)
      fail(`S_INTERSECTS takes the property ${GEOMETRY_PROPERTY} first`, `S_INTERSECTS 的第一个参数须为 ${GEOMETRY_PROPERTY}`);
    this.expectSymbol(',');
    const geometry = this.geometryLiteral();
    this.expectSymbol(')');
    return { op: 's_intersects', geometry };
  }

  private geometryLiteral(): Geometry {
    const token = this.next();
    this.expectSymbol('(');
    let geometry: Geometry;
    if (this.isWord('BBOX', token)) geometry = { kind: 'bbox', box: this.numbers() };
    else if (this.isWord('POINT', token)) geometry = { kind: 'geojson', geojson: { type: 'Point', coordinates: [this.number(), this.number()] } };
    else if (this.isWord('POLYGON', token)) geometry = { kind: 'geojson', geojson: { type: 'Polygon', coordinates: this.rings() } };
    else
      return fail(
        `S_INTERSECTS takes a BBOX, POINT or POLYGON literal, not "${token.text}"`,
        `S_INTERSECTS 只接受 BBOX、POINT 或 POLYGON，不接受“${token.text}”`,
      );
    this.expectSymbol(')');
    return geometry;
  }

  private rings(): number[][][] {
    const rings: number[][][] = [];
    do {
      if (rings.length > 0) this.index++;
      this.expectSymbol('(');
      rings.push(this.positions());
      this.expectSymbol(')');
    } while (this.isSymbol(','));
    return rings;
  }
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'LIKE', 'IN', 'BETWEEN', 'IS', 'NULL', 'TRUE', 'FALSE', 'S_INTERSECTS', 'BBOX', 'POINT', 'POLYGON']);

// ---------------------------------------------------------------- cql2-json

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function jsonScalar(value: unknown): Scalar {
  if (typeof value === 'string') return { kind: 'string', value };
  if (typeof value === 'number' && Number.isFinite(value)) return { kind: 'number', value };
  if (typeof value === 'boolean') return { kind: 'boolean', value };
  if (isObject(value) && typeof value.property === 'string' && Object.keys(value).length === 1) return { kind: 'property', name: value.property };
  return fail('expected a property ({"property": name}) or a string, number or boolean literal', '应为属性（{"property": 名称}）或文本、数字、布尔字面值');
}

function jsonGeometry(value: unknown): Geometry {
  if (isObject(value) && Array.isArray(value.bbox) && Object.keys(value).length === 1) return { kind: 'bbox', box: value.bbox.map(checkedNumber) };
  if (isObject(value) && (value.type === 'Point' || value.type === 'Polygon') && Array.isArray(value.coordinates))
    return { kind: 'geojson', geojson: { type: value.type, coordinates: value.coordinates } };
  return fail('S_INTERSECTS takes a {"bbox": [...]} or a GeoJSON Point or Polygon', 'S_INTERSECTS 只接受 {"bbox": [...]} 或 GeoJSON 的 Point、Polygon');
}

const checkedNumber = (value: unknown): number =>
  typeof value === 'number' && Number.isFinite(value) ? value : fail('a coordinate is not a number', '坐标须为数字');

function argsOf(value: Record<string, unknown>, count?: number): unknown[] {
  const args = value.args;
  if (!Array.isArray(args) || (count !== undefined && args.length !== count) || (count === undefined && args.length < 2)) {
    return fail(`"${String(value.op)}" takes ${count ?? 'two or more'} args`, `“${String(value.op)}”须有 ${count ?? '两个或以上'} 个参数`);
  }
  return args;
}

function jsonNode(value: unknown, depth: number, counter: { nodes: number }): FilterNode {
  if (depth > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH} levels`, `嵌套超过 ${MAX_DEPTH} 层`);
  if (++counter.nodes > MAX_NODES) fail(`has more than ${MAX_NODES} terms`, `条件超过 ${MAX_NODES} 项`);
  if (!isObject(value) || typeof value.op !== 'string')
    return fail('each expression must be an object with "op" and "args"', '每个表达式须为含 "op" 与 "args" 的对象');
  const op = value.op;
  if (op === 'and' || op === 'or') return { op, args: argsOf(value).map((arg) => jsonNode(arg, depth + 1, counter)) };
  if (op === 'not') return { op, arg: jsonNode(argsOf(value, 1)[0], depth + 1, counter) };
  if ((COMPARISONS as readonly string[]).includes(op)) {
    const [left, right] = argsOf(value, 2);
    return { op: op as Comparison, left: jsonScalar(left), right: jsonScalar(right) };
  }
  if (op === 'like') {
    const [left, pattern] = argsOf(value, 2);
    return { op, left: jsonScalar(left), pattern: jsonScalar(pattern) };
  }
  if (op === 'in') {
    const [left, list] = argsOf(value, 2);
    if (!Array.isArray(list) || list.length === 0) fail('"in" takes a property and a non-empty list', '“in”须有属性与非空列表');
    return { op, left: jsonScalar(left), list: (list as unknown[]).map(jsonScalar) };
  }
  if (op === 'between') {
    const [left, low, high] = argsOf(value, 3);
    return { op, left: jsonScalar(left), low: jsonScalar(low), high: jsonScalar(high) };
  }
  if (op === 'isNull') return { op, operand: jsonScalar(argsOf(value, 1)[0]) };
  if (op === 's_intersects') {
    const [property, geometry] = argsOf(value, 2);
    if (!isObject(property) || property.property !== GEOMETRY_PROPERTY)
      fail(`s_intersects takes {"property": "${GEOMETRY_PROPERTY}"} first`, `s_intersects 的第一个参数须为 {"property": "${GEOMETRY_PROPERTY}"}`);
    return { op, geometry: jsonGeometry(geometry) };
  }
  return fail(`unknown operator "${op.slice(0, 40)}"`, `未知运算符“${op.slice(0, 40)}”`);
}

// ---------------------------------------------------------------- checks and SQL

type ValueType = 'string' | 'number' | 'boolean';
const typeOfQueryable = (queryable: Queryable): ValueType => (queryable.type === 'string' ? 'string' : 'number');

/** The queryable a property names, or a 400 listing the collection's. */
function queryableOf(collection: OgcCollection, name: string): Queryable {
  const queryable = Object.hasOwn(collection.queryables, name) ? collection.queryables[name] : undefined;
  if (queryable) return queryable;
  const names = Object.keys(collection.queryables).join(', ');
  return fail(`${name.slice(0, 60)} is not a queryable of ${collection.id} (${names})`, `${name.slice(0, 60)} 不是 ${collection.id} 可查询的属性（${names}）`);
}

const typeOf = (collection: OgcCollection, scalar: Scalar): ValueType =>
  scalar.kind === 'property' ? typeOfQueryable(queryableOf(collection, scalar.name)) : scalar.kind;

/** Literals are bound parameters, cast so that Postgres knows their type even beside another literal. */
function scalarSql(collection: OgcCollection, scalar: Scalar): RawBuilder<unknown> {
  switch (scalar.kind) {
    case 'property':
      return queryableOf(collection, scalar.name).column;
    case 'string':
      return sql`${scalar.value}::text`;
    case 'number':
      return sql`${scalar.value}::double precision`;
    case 'boolean':
      return scalar.value ? sql`true` : sql`false`;
  }
}

/** All operands of one predicate must be of one type: floors = 'three' is a mistake, not an empty result. */
function sameType(collection: OgcCollection, scalars: Scalar[], allowed: readonly ValueType[] = ['string', 'number', 'boolean']): void {
  const types = new Set(scalars.map((scalar) => typeOf(collection, scalar)));
  const describe = scalars.map((scalar) => (scalar.kind === 'property' ? scalar.name : JSON.stringify(scalar.value))).join(', ');
  if (types.size > 1) fail(`compares values of different types (${describe})`, `比较了不同类型的值（${describe}）`);
  const [type] = types;
  if (!allowed.includes(type!)) fail(`this operator does not take ${type} values (${describe})`, `此运算不接受${type}类型的值（${describe}）`);
}

function geometrySql(geometry: Geometry): RawBuilder<unknown> {
  if (geometry.kind === 'bbox') {
    const box = geometry.box;
    if (box.length !== 4 && box.length !== 6) fail('BBOX takes four numbers (or six with heights)', 'BBOX 须为四个数字（或含高度的六个）');
    const [west, south, east, north] = box.length === 6 ? [box[0], box[1], box[3], box[4]] : box;
    if (!inWgs84(west!, south!) || !inWgs84(east!, north!) || south! > north!)
      fail('BBOX is outside WGS84 bounds or its south is above its north', 'BBOX 超出 WGS84 范围或南边界大于北边界');
    return sql`ST_MakeEnvelope(${west}::double precision, ${south}::double precision, ${east}::double precision, ${north}::double precision, 4326)`;
  }
  checkCoordinates(geometry.geojson);
  return sql`ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(geometry.geojson)}::text), 4326)`;
}

const inWgs84 = (lon: number, lat: number) => lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90;
const isPosition = (value: unknown) =>
  Array.isArray(value) && value.length === 2 && value.every((n) => typeof n === 'number' && Number.isFinite(n)) && inWgs84(value[0], value[1]);

/** Checked here so a bad literal is a 400 naming the filter, never a database error. */
function checkCoordinates(geojson: { type: 'Point' | 'Polygon'; coordinates: unknown }): void {
  const coordinates = geojson.coordinates;
  if (geojson.type === 'Point' && isPosition(coordinates)) return;
  const validRing = (ring: unknown) =>
    Array.isArray(ring) && ring.length >= 4 && ring.length <= 1000 && ring.every(isPosition) && ring[0][0] === ring.at(-1)[0] && ring[0][1] === ring.at(-1)[1];
  if (geojson.type === 'Polygon' && Array.isArray(coordinates) && coordinates.length >= 1 && coordinates.length <= 20 && coordinates.every(validRing)) return;
  fail(
    `the ${geojson.type.toUpperCase()} is not valid: positions are lon lat within WGS84, a polygon ring is closed with at least four positions`,
    `${geojson.type.toUpperCase()} 无效：坐标为 WGS84 的经度 纬度，多边形的环须闭合且至少四个点`,
  );
}

function nodeSql(collection: OgcCollection, node: FilterNode): RawBuilder<boolean> {
  const scalar = (value: Scalar) => scalarSql(collection, value);
  switch (node.op) {
    case 'and':
    case 'or':
      return sql<boolean>`(${sql.join(
        node.args.map((arg) => nodeSql(collection, arg)),
        node.op === 'and' ? sql` AND ` : sql` OR `,
      )})`;
    case 'not':
      return sql<boolean>`(NOT ${nodeSql(collection, node.arg)})`;
    case 'like':
      sameType(collection, [node.left, node.pattern], ['string']);
      return sql<boolean>`(${scalar(node.left)} LIKE ${scalar(node.pattern)})`;
    case 'in':
      sameType(collection, [node.left, ...node.list]);
      return sql<boolean>`(${scalar(node.left)} IN (${sql.join(node.list.map(scalar))}))`;
    case 'between':
      sameType(collection, [node.left, node.low, node.high], ['number']);
      return sql<boolean>`(${scalar(node.left)} BETWEEN ${scalar(node.low)} AND ${scalar(node.high)})`;
    case 'isNull':
      typeOf(collection, node.operand);
      return sql<boolean>`(${scalar(node.operand)} IS NULL)`;
    case 's_intersects': {
      const geometry = geometrySql(node.geometry);
      return sql<boolean>`(${collection.geometry} && ${geometry} AND ST_Intersects(${collection.geometry}, ${geometry}))`;
    }
    default:
      sameType(collection, [node.left, node.right], node.op === '=' || node.op === '<>' ? ['string', 'number', 'boolean'] : ['string', 'number']);
      return sql<boolean>`(${scalar(node.left)} ${sql.raw(node.op)} ${scalar(node.right)})`;
  }
}

/** The filter's tree, read from cql2-text or cql2-json; a FilterError when it cannot be read. */
export function parseFilter(text: string, lang: FilterLang): FilterNode {
  if (text.length > MAX_FILTER_LENGTH) fail(`must have at most ${MAX_FILTER_LENGTH} characters`, `最多 ${MAX_FILTER_LENGTH} 个字符`);
  if (lang === 'cql2-text') return new TextParser(tokenize(text)).parse();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail('is not valid JSON (filter-lang=cql2-json)', '不是有效的 JSON（filter-lang=cql2-json）');
  }
  return jsonNode(json, 0, { nodes: 0 });
}

/** The SQL condition of a filter on a collection: its properties and types checked, its literals bound. */
export function filterSql(collection: OgcCollection, text: string, lang: FilterLang): RawBuilder<boolean> {
  return nodeSql(collection, parseFilter(text, lang));
}
