/**
 * Shapes of the JSON the renwu API returns, as the web app relies on them: every answer is inferred
 * from the server's contracts in ./contracts.ts. What is still written out here is what the web
 * builds and sends itself (queries, form bodies) and the vector-tile properties; ./contracts.ts
 * ends with the list and the reason.
 */
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
// Word lists the server keeps in its pure, shared domain modules.
import type { RentalTier } from '../../../../server/domain/rental-scoring.ts';
import type { Role } from '../../../../server/domain/roles.ts';
import type {
  AreaLevel,
  BuildingStatus,
  BuildingUse,
  ChangeBase,
  ChangeMetric,
  FloatingType,
  HeatmapLevel,
  HeatmapMetric,
  HotspotClass,
  HotspotLevel,
  HotspotMetric,
  ManagementMode,
  PermitStatus,
  PersonCategory,
  RentalStatus,
  UnitCheckReason,
  UnitUse,
} from '../../../../server/domain/word-lists.ts';
import type { AllocationSettings, AreaProperties, BuildingSummary, CompoundOutlineProperties, Person } from './contracts.ts';

// The answers inferred from the server's contracts, and the domain's word lists under the names the web reads them by.
export type * from './contracts.ts';
export type {
  AreaLevel,
  BuildingStatus,
  BuildingUse,
  ChangeMetric,
  FloatingType,
  HeatmapLevel,
  HeatmapMetric,
  HotspotClass,
  HotspotLevel,
  HotspotMetric,
  ManagementMode,
  PermitStatus,
  PersonCategory,
  RentalStatus,
  RentalTier,
  Role,
  UnitCheckReason,
  UnitUse,
};
export { ALLOCATION_SORT_COLUMNS, type AllocationSort, type AllocationSortColumn } from '../../../../server/domain/allocation.ts';
export {
  AREA_LEVELS as areaLevels,
  BUILDING_USES as buildingUses,
  FLOATING_TYPES as floatingTypes,
  PERSON_CATEGORIES as personCategories,
  UNIT_USES as unitUses,
} from '../../../../server/domain/word-lists.ts';
/** The baseline a change is measured against (the API's `against`). */
export type ChangeBaseline = ChangeBase;
export { ROLES as roles } from '../../../../server/domain/roles.ts';

export type AreaFeature = Feature<Polygon | MultiPolygon, AreaProperties>;
export type AreaCollection = FeatureCollection<Polygon | MultiPolygon, AreaProperties>;

export type CompoundOutlines = FeatureCollection<Polygon | MultiPolygon, CompoundOutlineProperties>;

/** What a building carries in the /tiles/buildings vector tiles (binary, so no JSON contract checks them). */
export type BuildingTileProperties = Pick<BuildingSummary, 'code' | 'use' | 'floors' | 'status'>;

/** [minLon, minLat, maxLon, maxLat], the server's one box type. */
export type { Bbox } from '../../../../server/domain/coordinates.ts';

// --- people (server/people) -------------------------------------------------------------------

export type { PersonSearchKey } from '../../../../server/domain/word-lists.ts';
export { PERSON_SEARCH_KEYS as personSearchKeys } from '../../../../server/domain/word-lists.ts';

/** The person part of a move-in form, as POST /registrations/move-ins takes it (server/person-data/schemas.ts personInput). */
export interface PersonInput {
  idType: Person['idType'];
  idNumber: string;
  name: string;
  sex?: Person['sex'];
  birthDate?: string;
  nationality?: string;
  ethnicity?: string;
  hukouAddress?: string;
  phone?: string;
  category: PersonCategory;
  floatingType?: FloatingType;
  employer?: string;
}

// --- collector allocation (server/collectors) ---------------------------------------------------

/** What-if overrides sent as query parameters; nothing is saved. */
export type WhatIf = Partial<Pick<AllocationSettings, 'floatingPerCollector' | 'rentalHousesPerCollector' | 'populationPerCollector'>>;

// --- heatmaps (server/heatmaps) ------------------------------------------------------------------

export interface HeatmapQuery {
  level: HeatmapLevel;
  asOf?: string;
  from?: string;
  to?: string;
  bbox?: string;
  resolution?: number;
  tier?: RentalTier;
  /** Fix the legend classes over the months from this day's to today's (area levels only). */
  breaksFrom?: string;
}

// --- hot spots (server/hotspots, issue 21) ------------------------------------------------------

export interface HotspotQuery {
  level: HotspotLevel;
  within?: string;
  asOf?: string;
  from?: string;
  to?: string;
}

export interface EmergingQuery {
  level: HotspotLevel;
  within?: string;
  to?: string;
  months?: number;
}

export interface ChangesQuery {
  level: HotspotLevel;
  against: ChangeBaseline;
  within?: string;
  asOf?: string;
  limit?: number;
}

// --- User administration (server/users) --------------------------------------------------------

export interface UserListFilter {
  role?: Role;
  status?: 'active' | 'disabled';
  q?: string;
  limit?: number;
  offset?: number;
}

export interface UserAssignment {
  displayName: string;
  role: Role;
  jurisdiction: string[];
  collectorId: number | null;
}

export interface NewUserInput extends UserAssignment {
  username: string;
  temporaryPassword: string;
}

export type UserChanges = Partial<UserAssignment> & { disabled?: boolean };

// --- Audit log (server/audit) ------------------------------------------------------------------

export interface AuditFilter {
  username?: string;
  action?: string;
  from?: string;
  to?: string;
  /** Rows with a lower chain number than this (keyset paging, newest first). */
  before?: number;
  limit?: number;
}
