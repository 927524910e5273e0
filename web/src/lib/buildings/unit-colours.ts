import type { RentalStatus, UnitUse } from '../api/types.ts';

/**
 * Floor-plan cell colours. Rental status pairs each colour with a pattern (hatched = rented but
 * not registered) and a marker, so it reads without colour vision.
 */
export const unitUseColors: Record<UnitUse, string> = {
  self_occupied: '#4e79a7',
  rented: '#f28e2b',
  vacant: '#d9d9d9',
  shop: '#59a14f',
  dormitory: '#b07aa1',
};

export const rentalStatusStyle: Record<RentalStatus, { color: string; hatched: boolean; marker: string }> = {
  registered: { color: '#2c7bb6', hatched: false, marker: '✓' },
  unregistered: { color: '#d95f02', hatched: true, marker: '!' },
  not_rented: { color: '#e6e6e6', hatched: false, marker: '' },
};

export const rentalStatuses: readonly RentalStatus[] = ['registered', 'unregistered', 'not_rented'];

/** Colouring by household tier (分租) uses the map's tier colours and markers; other units are plain grey. */
export const noHouseholdTierColor = '#e6e6e6';

/** Dark text on light cells, white on dark ones (WCAG contrast on every swatch above). */
export function textOn(color: string): string {
  const value = Number.parseInt(color.slice(1), 16);
  const luminance = 0.299 * ((value >> 16) & 255) + 0.587 * ((value >> 8) & 255) + 0.114 * (value & 255);
  return luminance > 150 ? '#1d2327' : '#ffffff';
}
