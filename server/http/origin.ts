import type { Request } from 'express';

/**
 * The scheme and host the client used, for the absolute links GIS clients follow (OGC pages,
 * TileJSON): they then work behind the dev proxy, a TRUST_PROXY'd front end and for GDAL alike.
 */
export const originOf = (request: Request) => `${request.protocol}://${request.get('host') ?? 'localhost'}`;
