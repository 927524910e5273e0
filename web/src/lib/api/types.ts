/**
 * Shapes of the JSON the renwu API returns, as the web app relies on them. Most are inferred from
 * the server's contracts in ./contracts.ts; the ones still written out here are listed there
 * with the reason (their server folder is being moved, or their contract is not spelled out yet).
 */
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
// Response shapes and word lists the server computes in its pure, shared domain modules.
import type { AreaAllocation, CommunityNeedSteps, GridNeedSteps } from '../../../../server/domain/allocation.ts';
import type { MoveEnd, ProposedMove } from '../../../../server/domain/rebalance.ts';
import type { RentalTier } from '../../../../server/domain/rental-scoring.ts';
import type { Role } from '../../../../server/domain/roles.ts';
import type {
  AreaLevel, BuildingStatus, BuildingUse, ChangeBase, ChangeMetric, FloatingType, HeatmapLevel, HeatmapMetric, HotspotClass, HotspotLevel,
  HotspotMetric, ManagementMode, PersonCategory, UnitCheckReason, UnitUse,
} from '../../../../server/domain/word-lists.ts';
import type { AllocationSettings, AreaProperties, CompoundOutlineProperties, HeatmapTime, HouseholdTier } from './contracts.ts';

// The answers inferred from the server's contracts, and the domain's word lists under the names the web reads them by.
export type * from './contracts.ts';
export type {
  AreaLevel, BuildingStatus, BuildingUse, ChangeMetric, FloatingType, HeatmapLevel, HeatmapMetric, HotspotClass, HotspotLevel, HotspotMetric,
  ManagementMode, PersonCategory, RentalTier, Role, UnitCheckReason, UnitUse,
};
export {
  AREA_LEVELS as areaLevels, BUILDING_USES as buildingUses, FLOATING_TYPES as floatingTypes,
  PERSON_CATEGORIES as personCategories, UNIT_USES as unitUses,
} from '../../../../server/domain/word-lists.ts';
/** The baseline a change is measured against (the API's `against`). */
export type ChangeBaseline = ChangeBase;
export { ROLES as roles } from '../../../../server/domain/roles.ts';

export type AreaFeature = Feature<Polygon | MultiPolygon, AreaProperties>;
export type AreaCollection = FeatureCollection<Polygon | MultiPolygon, AreaProperties>;

export type CompoundOutlines = FeatureCollection<Polygon | MultiPolygon, CompoundOutlineProperties>;

/** What a building carries in the /tiles/buildings vector tiles. */
export interface BuildingTileProperties {
  code: string;
  use: BuildingUse;
  floors: number;
  status: BuildingStatus;
}

/** What every view of a building starts with. */
export interface BuildingSummary {
  code: string;
  gridCode: string;
  address: string;
  floors: number;
  use: BuildingUse;
  managementMode: ManagementMode;
  status: BuildingStatus;
}

export interface Building extends BuildingSummary {
  hasAccessControl: boolean;
  hasVideo: boolean;
  responsibilityLetterSigned: boolean;
  point: [number, number];
  unitCount: number;
}

/** [minLon, minLat, maxLon, maxLat], the server's one box type. */
export type { Bbox } from '../../../../server/domain/coordinates.ts';

// --- people, floor plans, occupants (server/registrations) -----------------------------------

export type RentalStatus = 'registered' | 'unregistered' | 'not_rented';

/** A person as the caller may see them: ID and phone are masked for everyone but police. */
export interface Person {
  id: number;
  idType: 'id_card' | 'passport';
  idNumber: string;
  name: string;
  sex: 'M' | 'F';
  /** Police only: for other roles it would give back the masked digits of the ID number. */
  birthDate?: string;
  /** Age in whole years today. */
  age: number;
  nationality: string;
  ethnicity: string | null;
  hukouAddress: string | null;
  phone: string | null;
  category: PersonCategory;
  floatingType: FloatingType | null;
  employer: string | null;
}

/** The dates of one stay and the registration rules they break (late, never deregistered). */
export interface StayDates {
  movedIn: string;
  registeredAt: string;
  movedOut: string | null;
  deregisteredAt: string | null;
  registrationExempt: boolean;
  registeredLate: boolean;
  departureUnregistered: boolean;
}

export interface Stay extends StayDates {
  residencyId: number;
  unitCode: string;
  person: Person;
}

export interface UnitPlan {
  code: string;
  room: string;
  use: UnitUse;
  rentalStatus: RentalStatus;
  areaM2: number | null;
  occupantCount: number;
  occupants: Stay[];
}

export interface FloorCounts {
  unitCount: number;
  occupiedUnitCount: number;
  occupantCount: number;
  unitsByUse: Record<UnitUse, number>;
  rentals: { registered: number; unregistered: number };
}

export interface FloorPlan {
  building: BuildingSummary;
  totals: FloorCounts;
  floors: Array<FloorCounts & { floor: number; units: UnitPlan[] }>;
}

export interface UnitDetail {
  code: string;
  buildingCode: string;
  gridCode: string;
  address: string;
  floor: number;
  room: string;
  areaM2: number | null;
  use: UnitUse;
  rentalRegistered: boolean;
  buildingStatus: BuildingStatus;
  currentOccupants: number;
  rentalStatus: RentalStatus;
}

export interface UnitOccupants {
  unit: UnitDetail;
  current: Stay[];
  past: Stay[];
}

export type PersonSearchKey = 'idNumber' | 'name' | 'address' | 'code';
export const personSearchKeys: readonly PersonSearchKey[] = ['idNumber', 'name', 'address', 'code'];

export interface PersonSearchResult {
  hits: Array<{ person: Person; currentResidence: { unitCode: string; address: string; room: string } | null }>;
  truncated: boolean;
}

export interface Residence extends StayDates {
  residencyId: number;
  unitCode: string;
  address: string;
  floor: number;
  room: string;
}

export interface PersonRecord {
  person: Person;
  currentResidence: Residence | null;
  permits: Array<{ id: number; permitNo: string; issuedOn: string; expiresOn: string; years: number; status: 'valid' | 'renewed' | 'revoked'; revokedOn: string | null }>;
}

/** The person part of a move-in form, as POST /registrations/move-ins takes it. */
export interface PersonInput {
  idType: 'id_card' | 'passport';
  idNumber: string;
  name: string;
  sex?: 'M' | 'F';
  birthDate?: string;
  nationality?: string;
  ethnicity?: string;
  hukouAddress?: string;
  phone?: string;
  category: PersonCategory;
  floatingType?: FloatingType;
  employer?: string;
}

// --- rental tiers (server/rentals) -------------------------------------------------------------

export interface ScoreFactor {
  ruleId: number;
  factor: string;
  label: string;
  pointsEach: number;
  /** Null for roles without person data when the factor counts tenants. */
  count: number | null;
  points: number;
}

export interface ScoreCard {
  building: { code: string; gridCode: string; address: string; point: [number, number] };
  month: string;
  score: number;
  tier: RentalTier;
  star: boolean;
  rulesVersion: number;
  explanation: {
    base: number;
    factors: ScoreFactor[];
    score: number;
    scoreTier: Exclude<RentalTier, 'star'>;
    tier: RentalTier;
    previousTier: RentalTier | null;
    overrides: Array<{ code: string; message: string }>;
    windows: { criminalCasesThisMonth: number; criminalCases6Months: number; criminalCases12Months: number; cooperative: boolean; clueWithin12Months: boolean };
    cleanMonths: number;
    unobserved: string[];
  };
  history: Array<{ month: string; score: number; tier: RentalTier; rulesVersion: number }>;
  /** The tiers of its households that month when it is let separately (分租); else empty. */
  households?: HouseholdTier[];
  schedule: {
    tier: RentalTier;
    policeIntervalDays: number;
    collectorIntervalDays: number;
    lastPoliceVisit: string | null;
    lastCollectorVisit: string | null;
    policeDueOn: string | null;
    collectorDueOn: string | null;
  } | null;
}

/** GET /api/rentals/units/:code: a household's score card; no visit schedule of its own. */
export interface HouseholdScoreCard extends Omit<ScoreCard, 'schedule' | 'households'> {
  unit: { code: string; buildingCode: string; floor: number; room: string; use: UnitUse; rentalRegistered: boolean };
}

// --- collector allocation (server/collectors) ---------------------------------------------------

/** What-if overrides sent as query parameters; nothing is saved. */
export type WhatIf = Partial<Pick<AllocationSettings, 'floatingPerCollector' | 'rentalHousesPerCollector' | 'populationPerCollector'>>;

interface PlanningMeta {
  within: string | null;
  whatIf: boolean;
  settings: AllocationSettings;
  savedSettings: AllocationSettings;
}

/** One area's allocation figures, as computed by the shared allocation rules, plus its name. */
export interface AllocationRow extends AreaAllocation {
  name: string;
  /** Grid rows: the grid's share of its community's need. */
  steps?: GridNeedSteps;
  /** Community rows: how the community's need was found and shared out. */
  communitySteps?: CommunityNeedSteps;
}

export type { CommunityNeedSteps, GridNeedSteps };

/** The columns the staffing table sorts by (server/collectors/schemas.ts ALLOCATION_SORT_COLUMNS); '-column' is largest first. */
export const ALLOCATION_SORT_COLUMNS = ['code', 'floating', 'rentalHouses', 'need', 'fullTimeAssigned', 'gap'] as const;
export type AllocationSortColumn = (typeof ALLOCATION_SORT_COLUMNS)[number];
export type AllocationSort = AllocationSortColumn | `-${AllocationSortColumn}`;

export interface Allocation extends PlanningMeta {
  level: AreaLevel;
  sort: AllocationSort;
  totals: AllocationRow;
  total: number;
  rows: AllocationRow[];
  /** Grid level: the steps of the communities of the rows' grids. */
  communities?: CommunityNeedSteps[];
}

export interface Shortage extends PlanningMeta {
  level: AreaLevel;
  scale: { maxShortage: number; maxSurplus: number; maxAbsGap: number };
  areas: Array<{ code: string; need: number; assigned: number; gap: number }>;
}

export type { MoveEnd, ProposedMove };

export interface Rebalance extends PlanningMeta {
  /** Hops over shared grid boundaries a move may span (1 = next door). */
  reach: number;
  summary: {
    shortageBefore: number; shortageAfter: number; shortageRemoved: number; surplusBefore: number;
    moves: number; totalHops: number; nonAdjacentMoves: number; crossCommunityMoves: number;
  };
  moves: ProposedMove[];
}

// --- heatmaps and KPIs (server/heatmaps, server/kpis) -------------------------------------------

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

export interface Kpi {
  key: string;
  label: string;
  unit: '%' | 'ratio';
  target: number | null;
  definition: string;
  time: HeatmapTime;
  available: boolean;
  reason?: string;
  suppressed?: true;
  numerator: number | null;
  denominator: number | null;
  value: number | null;
}

export interface KpiReport {
  area: { code: string; level: AreaLevel; name: string | null };
  privacy: { k: number; applied: boolean };
  kpis: Kpi[];
}

// --- administration (server/rentals rules, server/collectors settings) -------------------------

export interface ExpiringPermit {
  id: number;
  personId: number;
  permitNo: string;
  issuedOn: string;
  expiresOn: string;
  years: number;
  status: 'valid' | 'renewed' | 'revoked';
  renewalOpensOn: string;
  unitCode: string;
  person: Person;
}

export interface ExpiringPermits {
  grid: string;
  from: string;
  until: string;
  permits: ExpiringPermit[];
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
