import { VectorTile, VectorTileFeature } from '@mapbox/vector-tile';
import type { Kysely } from 'kysely';
import { PbfReader } from 'pbf';
import type request from 'supertest';
import type { DB } from '../../server/db/schema.ts';
import { withCheckCharacter } from '../../server/domain/id-number.ts';
import { insertStays } from './hand-edits.ts';

/**
 * Residents for the tile and OGC tests: `count` floating people living in `unitCode` since
 * `movedIn` (registered that day), with ID numbers 440307 19900101 <sequence> from `firstSequence` on.
 */
export async function insertResidents(
  db: Kysely<DB>,
  unitCode: string,
  count: number,
  firstSequence: number,
  { movedIn = '2026-01-05', movedOut = null }: { movedIn?: string; movedOut?: string | null } = {},
) {
  for (let sequence = firstSequence; sequence < firstSequence + count; sequence++) {
    const idNumber = withCheckCharacter(`44030719900101${String(sequence).padStart(3, '0')}`);
    const person = await db
      .insertInto('persons')
      .values({
        id_type: 'id_card',
        id_number: idNumber,
        name: `住户${sequence}`,
        sex: sequence % 2 ? 'M' : 'F',
        birth_date: '1990-01-01',
        ethnicity: null,
        hukou_address: null,
        phone: null,
        category: 'floating',
        floating_type: 'single',
        employer: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await insertStays(db, [{ personId: person.id, unitCode, movedIn, registeredAt: movedIn, movedOut, deregisteredAt: movedOut }]);
  }
}

/** Makes supertest hand back a binary body (vector tiles) as a Buffer. */
export function asBinary(test: request.Test): request.Test {
  return test.buffer(true).parse((response, done) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => done(null, Buffer.concat(chunks)));
  });
}

export interface DecodedFeature {
  type: 'Unknown' | 'Point' | 'LineString' | 'Polygon';
  /** The MVT feature id (undefined when the tile carries none). */
  id: number | undefined;
  properties: Record<string, number | string | boolean>;
}

/** Every layer of an MVT, each as its features' geometry type and properties. */
export function decodeTile(body: Buffer): Record<string, DecodedFeature[]> {
  const tile = new VectorTile(new PbfReader(body));
  const layers: Record<string, DecodedFeature[]> = {};
  for (const [name, layer] of Object.entries(tile.layers)) {
    layers[name] = Array.from({ length: layer.length }, (_, index) => {
      const feature = layer.feature(index);
      return { type: VectorTileFeature.types[feature.type], id: feature.id, properties: feature.properties };
    });
  }
  return layers;
}

/** The features of one layer of a tile, or a failure naming the layer the tile lacks. */
export function layerOf(body: Buffer, name: string): DecodedFeature[] {
  const layer = decodeTile(body)[name];
  if (!layer) throw new Error(`the tile has no ${name} layer`);
  return layer;
}

export const codesOf = (features: DecodedFeature[] | undefined) => (features ?? []).map((feature) => String(feature.properties.code)).sort();
