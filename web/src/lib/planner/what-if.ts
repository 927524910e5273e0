import type { WhatIf } from '../api/types.ts';

/**
 * The planner's what-if ratios live in the URL (floating=…, rental=…), so a tried scenario can be
 * bookmarked and sent; nothing is saved on the server. Pure.
 */
const LIMITS = { floating: [1, 100_000], rental: [1, 10_000] } as const;

function positiveWhole(text: string | undefined, [min, max]: readonly [number, number]): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

export function readWhatIf(params: URLSearchParams): WhatIf {
  const whatIf: WhatIf = {};
  const floating = positiveWhole(params.get('floating') ?? undefined, LIMITS.floating);
  const rental = positiveWhole(params.get('rental') ?? undefined, LIMITS.rental);
  if (floating !== undefined) whatIf.floatingPerCollector = floating;
  if (rental !== undefined) whatIf.rentalHousesPerCollector = rental;
  return whatIf;
}

export function whatIfParams(whatIf: WhatIf): { floating?: number; rental?: number } {
  return { floating: whatIf.floatingPerCollector, rental: whatIf.rentalHousesPerCollector };
}

export const whatIfLimits = LIMITS;
