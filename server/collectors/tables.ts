import type { ColumnType, Generated } from 'kysely';

/** Kysely types of the tables this feature owns (sql/0004_collectors.sql). Composed into DB in server/db/schema.ts. */
export interface CollectorGridAdjacencyTable {
  grid_code: string;
  neighbour_code: string;
}

export interface CollectorAdjacencyStateTable {
  singleton: Generated<boolean>;
  /** shape_version.version the adjacency was computed from (sql/0041); null until first computed. */
  shapes_version: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  refreshed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface CollectorTables {
  collector_grid_adjacency: CollectorGridAdjacencyTable;
  collector_adjacency_state: CollectorAdjacencyStateTable;
}
