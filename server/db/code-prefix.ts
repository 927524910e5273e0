import { sql, type RawBuilder, type SqlBool } from 'kysely';

/** Code prefixes a caller is bounded to (district 6 … grid 14 digits); null = no bound. */
export type CodePrefixes = readonly string[] | null;

/** The first code after every code that starts with `prefix`: '4403079' → '440308'; undefined for all nines. */
export function prefixUpperBound(prefix: string): string | undefined {
  const trimmed = prefix.replace(/9+$/, '');
  if (trimmed === '') return undefined;
  return trimmed.slice(0, -1) + String(Number(trimmed.at(-1)) + 1);
}

/**
 * `column` starts with one of `prefixes` (always true for null), written as ranges so a plain
 * btree index on the code serves it under any collation (LIKE 'p%' needs the C collation or
 * text_pattern_ops). Anything but digits matches nothing.
 */
export function codeWithin(column: string, prefixes: CodePrefixes): RawBuilder<SqlBool> {
  if (prefixes === null) return sql<SqlBool>`true`;
  const ranges = prefixes
    .filter((prefix) => /^\d+$/.test(prefix))
    .map((prefix) => {
      const upper = prefixUpperBound(prefix);
      const from = sql`${sql.ref(column)} >= ${prefix}`;
      return upper === undefined ? from : sql`(${from} AND ${sql.ref(column)} < ${upper})`;
    });
  if (ranges.length === 0) return sql<SqlBool>`false`;
  return sql<SqlBool>`(${sql.join(ranges, sql` OR `)})`;
}

/** The district, street and community codes (6, 9 and 12 digits) that contain each prefix. */
export function enclosingAreaCodes(prefixes: CodePrefixes): string[] {
  const lengths = [6, 9, 12];
  return [...new Set((prefixes ?? []).flatMap((prefix) => lengths.filter((length) => length < prefix.length).map((length) => prefix.slice(0, length))))];
}

/**
 * Areas a caller may see as places: those inside their jurisdiction and those that contain it
 * (their district, street, community: outlines and names to find one's way, no figures).
 */
export function areaVisible(column: string, prefixes: CodePrefixes): RawBuilder<SqlBool> {
  if (prefixes === null) return sql<SqlBool>`true`;
  return sql<SqlBool>`(${codeWithin(column, prefixes)} OR ${sql.ref(column)} = ANY(${enclosingAreaCodes(prefixes)}::text[]))`;
}

/**
 * The codes that start with a prefix, as a range [from, below): a btree on a code column answers
 * it without LIKE (which needs text_pattern_ops outside the C collation). null = everywhere.
 */
export interface CodeRange {
  prefix: string;
  from: string;
  /** The next prefix of the same length ("440307" → "440308"); null after "999…". */
  below: string | null;
}

export function codeRange(prefix: string | null | undefined): CodeRange | null {
  if (!prefix) return null;
  const next = (BigInt(prefix) + 1n).toString().padStart(prefix.length, '0');
  return { prefix, from: prefix, below: next.length > prefix.length ? null : next };
}
