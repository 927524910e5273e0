/**
 * The register's word lists: the values a column, an API answer and the dashboard's pickers share.
 * A leaf module (no database imports), so the schema (db/schema.ts), the contracts
 * (server/<feature>/contract.ts) and the web read the same lists. Roles live in roles.ts.
 */

/** The four levels of the administrative tree, widest first (district → street → community → grid). */
export const AREA_LEVELS = ['district', 'street', 'community', 'grid'] as const;
export const BUILDING_USES = ['residential', 'mixed', 'factory_dormitory', 'shop_house', 'urban_village'] as const;
export const MANAGEMENT_MODES = ['hotel', 'property', 'employer', 'patrol', 'gated'] as const;
export const BUILDING_STATUSES = ['active', 'demolished'] as const;
export const UNIT_USES = ['self_occupied', 'rented', 'vacant', 'shop', 'dormitory'] as const;
export const PERSON_CATEGORIES = ['registered', 'lodging', 'floating', 'overseas'] as const;
export const FLOATING_TYPES = ['single', 'shared', 'dormitory', 'family'] as const;
export const ID_TYPES = ['id_card', 'passport'] as const;
export const SEXES = ['M', 'F'] as const;
/** A residence permit (居住证): valid, replaced by its renewal, or revoked. */
export const PERMIT_STATUSES = ['valid', 'renewed', 'revoked'] as const;
/** 出租登记 of a unit: a rented unit is registered as a rental or not; any other use is not rented. */
export const RENTAL_STATUSES = ['registered', 'unregistered', 'not_rented'] as const;
/** What GET /api/people/search finds people by: exactly one of these per search. */
export const PERSON_SEARCH_KEYS = ['idNumber', 'name', 'address', 'code'] as const;
/** Why a collector should visit a unit (sql/0015_unit_checks.sql). */
export const UNIT_CHECK_REASONS = ['unregistered_rental', 'use_changed', 'emptied'] as const;

export type AreaLevel = (typeof AREA_LEVELS)[number];
export type BuildingUse = (typeof BUILDING_USES)[number];
export type ManagementMode = (typeof MANAGEMENT_MODES)[number];
export type BuildingStatus = (typeof BUILDING_STATUSES)[number];
export type UnitUse = (typeof UNIT_USES)[number];
export type PersonCategory = (typeof PERSON_CATEGORIES)[number];
export type FloatingType = (typeof FLOATING_TYPES)[number];
export type UnitCheckReason = (typeof UNIT_CHECK_REASONS)[number];
export type PermitStatus = (typeof PERMIT_STATUSES)[number];
export type RentalStatus = (typeof RENTAL_STATUSES)[number];
export type PersonSearchKey = (typeof PERSON_SEARCH_KEYS)[number];

// Imports (server/imports): what a file holds, how it is read, where its job stands.
export const IMPORT_KINDS = ['buildings', 'units', 'people', 'cases', 'compounds'] as const;
export const IMPORT_FORMATS = ['csv', 'xlsx', 'geojson'] as const;
/** add: rows on file are bad rows; upsert: rows on file (same code or ID number) are updated (issue 16.9). */
export const IMPORT_MODES = ['add', 'upsert'] as const;
export const IMPORT_STATUSES = ['queued', 'validating', 'importing', 'done', 'failed'] as const;
export const TEXT_ENCODINGS = ['utf-8', 'gbk'] as const;

export type ImportKind = (typeof IMPORT_KINDS)[number];
export type ImportFormat = (typeof IMPORT_FORMATS)[number];
export type ImportMode = (typeof IMPORT_MODES)[number];
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
export type TextEncoding = (typeof TEXT_ENCODINGS)[number];

// Analytics (server/heatmaps, server/hotspots): what a map can show and over which cells.
export const HEATMAP_METRICS = ['floating_density', 'population', 'cases', 'rental_units', 'rental_tiers', 'registration_rate', 'permit_rate'] as const;
/** The area levels, H3 hexagons and squares of a side in metres. */
export const HEATMAP_LEVELS = [...AREA_LEVELS, 'hex', 'square'] as const;
export const HOTSPOT_METRICS = ['cases', 'floating_density', 'red_rentals', 'yellow_rentals'] as const;
export const HOTSPOT_LEVELS = ['grid', 'community'] as const;
/** Gi* class: 3/2/1 hot at 99/95/90% confidence, 0 not significant, -1/-2/-3 cold. */
export const HOTSPOT_CLASSES = [-3, -2, -1, 0, 1, 2, 3] as const;
export const CHANGE_METRICS = ['floating', 'cases'] as const;
export const CHANGE_BASES = ['last_month', 'last_year'] as const;

export type HeatmapMetric = (typeof HEATMAP_METRICS)[number];
export type HeatmapLevel = (typeof HEATMAP_LEVELS)[number];
export type HotspotMetric = (typeof HOTSPOT_METRICS)[number];
export type HotspotLevel = (typeof HOTSPOT_LEVELS)[number];
export type HotspotClass = (typeof HOTSPOT_CLASSES)[number];
export type ChangeMetric = (typeof CHANGE_METRICS)[number];
export type ChangeBase = (typeof CHANGE_BASES)[number];

/** Where a hot-spot answer's figures came from: kept in memory for the data version (server/heatmaps/month-ends.ts), or summed from the tables. */
export const FIGURES_READ = ['kept per data version', 'summed by the database'] as const;
