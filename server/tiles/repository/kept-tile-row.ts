import type { RenderedTile } from '../render.ts';

/** The columns of a tile kept in the database (shape_tiles, building_tiles): its bytes and their gzipped copy (sql/0034). */
export interface KeptTileRow {
  content: Uint8Array;
  truncated: boolean | null;
  gzipped: Uint8Array | null;
}

/** The tile of a kept row, with its gzipped copy when the row has one. */
export function keptTileOfRow(row: KeptTileRow): RenderedTile {
  return {
    content: new Uint8Array(row.content),
    truncated: row.truncated === true,
    ...(row.gzipped !== null && { gzipped: new Uint8Array(row.gzipped) }),
  };
}
