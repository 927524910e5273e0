import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.ts';

export interface Capabilities {
  postgisVersion: string;
  postgresVersion: string;
  /** ST_AsMVT needs PostGIS built with protobuf; the embedded WASM build has none. */
  nativeVectorTiles: boolean;
}

export async function detectCapabilities(db: Kysely<DB>): Promise<Capabilities> {
  const versions = await sql<{ postgis: string; postgres: string }>`
    SELECT postgis_lib_version() AS postgis, current_setting('server_version') AS postgres`.execute(db);
  const mvt = await sql<{ present: boolean }>`
    SELECT to_regprocedure('st_asmvt(anyelement)') IS NOT NULL AS present`.execute(db);
  const protobuf = await sql<{ full: string }>`SELECT postgis_full_version() AS full`.execute(db);
  const row = versions.rows[0];
  const hasProtobuf = /PROTOBUF="/.test(protobuf.rows[0]?.full ?? '');
  return {
    postgisVersion: row?.postgis ?? 'unknown',
    postgresVersion: row?.postgres ?? 'unknown',
    nativeVectorTiles: Boolean(mvt.rows[0]?.present) && hasProtobuf,
  };
}

/** Whether a table exists (optional tables such as rental_scores appear once a migration or a job made them). */
export async function tableExists(db: Kysely<DB>, name: string): Promise<boolean> {
  const result = await sql<{ present: boolean }>`SELECT to_regclass(${name}) IS NOT NULL AS present`.execute(db);
  return Boolean(result.rows[0]?.present);
}
