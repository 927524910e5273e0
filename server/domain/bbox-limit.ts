/**
 * Hex and square cells count people on the fly from residencies: the bbox bounds that work
 * (0.0025 square degrees, e.g. 5 km × 5.5 km: about 72,000 residents in the demo city's centre).
 * Its own module (no database imports) so the dashboard reads the same number and never asks
 * for a box the server refuses.
 */
export const MAX_POINT_BBOX_SQUARE_DEGREES = 0.0025;
