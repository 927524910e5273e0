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
