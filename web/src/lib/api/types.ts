/** Shapes of the JSON the renwu API returns, as the web app relies on them. */
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
// Response shapes the server computes in its pure, shared domain modules.
import type { AreaAllocation, CommunityNeedSteps, GridNeedSteps } from '../../../../server/domain/allocation.ts';
import type { MoveEnd, ProposedMove } from '../../../../server/domain/rebalance.ts';
import type { HouseholdTier } from '../../../../server/domain/rental-scoring.ts';
import type { Bbox } from '../../../../server/domain/coordinates.ts';
import type { UserRecord } from '../../../../server/users/repository.ts';
import type { GrantRecord } from '../../../../server/users/grant-repository.ts';

export type Role = 'leader' | 'planner' | 'police' | 'collector' | 'admin' | 'auditor';

export interface SessionUser {
  username: string;
  displayName: string;
  role: Role;
  /** Area codes (district, street, community or grid) this user may see. */
  jurisdiction: string[];
  /** The password was set by an administrator: the app shows nothing but the password change. */
  mustChangePassword: boolean;
}

export interface Session {
  user: SessionUser;
  csrfToken: string;
}

export interface Health {
  status: 'ok';
  database: { engine: 'pglite' | 'postgres'; postgis: string };
  counts: { buildings: number; units: number; persons: number };
  /** Tables whose count is the planner's estimate (over 10,000 rows). */
  estimatedCounts: ('buildings' | 'units' | 'persons')[];
}

export type AreaLevel = 'district' | 'street' | 'community' | 'grid';
export const areaLevels: readonly AreaLevel[] = ['district', 'street', 'community', 'grid'];

/** GET /api/map-config: the office's intranet basemap style, or null (no basemap); gcj02: its raster tiles are GCJ-02. */
export interface MapConfig {
  basemap: { styleUrl: string; crs: 'wgs84' | 'gcj02' } | null;
}

export interface AreaProperties {
  code: string;
  name: string;
  level: AreaLevel;
  parentCode: string | null;
}

export type AreaFeature = Feature<Polygon | MultiPolygon, AreaProperties>;
export type AreaCollection = FeatureCollection<Polygon | MultiPolygon, AreaProperties>;

/** GET /api/compounds.geojson: each compound's outline around its buildings (server/compounds). */
export interface CompoundOutlineProperties {
  code: string;
  name: string;
  communityCode: string;
  buildings: number;
}
export type CompoundOutlines = FeatureCollection<Polygon | MultiPolygon, CompoundOutlineProperties>;

/** A compound's totals (server/compounds): occupancy rate = occupied units ÷ units, in percent. */
export interface CompoundTotals {
  buildings: number;
  units: number;
  occupiedUnits: number;
  letUnits: number;
  rentalHouses: number;
  /** null: fewer than k people, withheld from roles that work with aggregates. */
  residents: number | null;
  occupancyRate: number | null;
}

export interface CompoundSummary extends CompoundTotals {
  code: string;
  name: string;
  communityCode: string;
}

/** GET /api/compounds?within= */
export interface CompoundList {
  within: string | null;
  compounds: CompoundSummary[];
}

/** One building of a compound's drill-down; leaders and planners get no people and may get a withheld count. */
export interface CompoundBuilding {
  building: BuildingSummary;
  totals: { unitCount: number; occupiedUnitCount: number; occupantCount: number | null };
}

/** GET /api/compounds/:code */
export interface CompoundDrilldown {
  compound: { code: string; name: string; communityCode: string };
  totals: CompoundTotals;
  buildings: CompoundBuilding[];
}

export type BuildingUse =
  | 'residential'
  | 'mixed'
  | 'factory_dormitory'
  | 'shop_house'
  | 'urban_village';
export const buildingUses: readonly BuildingUse[] = [
  'residential',
  'mixed',
  'factory_dormitory',
  'shop_house',
  'urban_village',
];

export type ManagementMode = 'hotel' | 'property' | 'employer' | 'patrol' | 'gated';
export type BuildingStatus = 'active' | 'demolished';

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

export type UnitUse = 'self_occupied' | 'rented' | 'vacant' | 'shop' | 'dormitory';
export const unitUses: readonly UnitUse[] = ['self_occupied', 'rented', 'vacant', 'shop', 'dormitory'];
export type RentalStatus = 'registered' | 'unregistered' | 'not_rented';
export type PersonCategory = 'registered' | 'lodging' | 'floating' | 'overseas';
export const personCategories: readonly PersonCategory[] = ['registered', 'lodging', 'floating', 'overseas'];
export type FloatingType = 'single' | 'shared' | 'dormitory' | 'family';
export const floatingTypes: readonly FloatingType[] = ['single', 'shared', 'dormitory', 'family'];

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

export type RentalTier = 'red' | 'yellow' | 'green' | 'star';

export interface BuildingTier {
  code: string;
  point: [number, number];
  tier: RentalTier;
  score: number;
  star: boolean;
}

export interface TierMap {
  /** YYYY-MM-01 of the scored month, or null when nothing has been scored yet. */
  month: string | null;
  buildings: BuildingTier[];
  truncated: boolean;
}

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

/** A household: a let unit of a building let separately (分租), scored on its own. */
export type { HouseholdTier };

export interface HouseholdTiers {
  building: string;
  /** YYYY-MM-01, or null when none of its units is scored as a household. */
  month: string | null;
  households: HouseholdTier[];
}

/** GET /api/rentals/units/:code: a household's score card; no visit schedule of its own. */
export interface HouseholdScoreCard extends Omit<ScoreCard, 'schedule' | 'households'> {
  unit: { code: string; buildingCode: string; floor: number; room: string; use: UnitUse; rentalRegistered: boolean };
}

export interface OverdueVisit {
  buildingCode: string;
  gridCode: string;
  address: string;
  tier: RentalTier;
  role: 'police' | 'collector';
  intervalDays: number;
  lastVisit: string | null;
  dueOn: string;
  daysOverdue: number;
}

export type UnitCheckReason = 'unregistered_rental' | 'use_changed' | 'emptied';

/** A unit the register changed under (a move-in into a vacant unit, its last occupant left): the collector visits it. */
export interface UnitToCheck {
  unitCode: string;
  buildingCode: string;
  gridCode: string;
  address: string;
  room: string;
  use: UnitUse;
  reason: UnitCheckReason;
  since: string;
}

export interface OverdueVisits {
  asOf: string;
  visits: OverdueVisit[];
  truncated: boolean;
  /** Listed to collectors only (empty for police). */
  unitsToCheck: UnitToCheck[];
}

// --- collector allocation (server/collectors) ---------------------------------------------------

export interface AllocationSettings {
  mode: 'floating_or_rental' | 'population';
  floatingPerCollector: number;
  rentalHousesPerCollector: number;
  populationPerCollector: number;
  smallCommunityFloatingBelow: number;
  smallCommunityMinimum: number;
  employerFloatingStaffForPartTime: number;
}

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

export type HeatmapMetric = 'floating_density' | 'population' | 'cases' | 'rental_units' | 'rental_tiers' | 'registration_rate' | 'permit_rate';
export type HeatmapLevel = 'district' | 'street' | 'community' | 'grid' | 'hex' | 'square';

export interface HeatmapCell {
  /** An area code, an H3 index (level hex) or a square's code (level square). */
  code: string;
  name?: string | null;
  areaKm2: number;
  bounds?: Bbox;
  value?: number | null;
  /** Withheld: fewer than k people (leaders only). */
  suppressed?: true;
  figures?: Record<string, number>;
}

export type HeatmapTime = { asOf: string } | { from: string; to: string } | { current: true } | { asOf: string; scoringMonth: string | null };

export interface Heatmap {
  metric: HeatmapMetric;
  label: string;
  level: HeatmapLevel;
  unit: string;
  definition: string;
  time: HeatmapTime;
  filters: Record<string, string>;
  privacy: { k: number; applied: boolean; suppressedCells: number };
  cells: HeatmapCell[];
  /** Class boundaries [b0 … bn]: class 0 holds b0 ≤ v ≤ b1, class i holds b(i) < v ≤ b(i+1). */
  breaks: { quantile: number[]; jenks: number[] };
  /** The months the breaks are fixed over (query breaksFrom), or null: this map's own values. */
  breaksOver: { from: string; to: string; months: number } | null;
}

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

export type HotspotMetric = 'cases' | 'floating_density' | 'red_rentals' | 'yellow_rentals';
export type HotspotLevel = 'grid' | 'community';
/** Gi* class: 3/2/1 hot at 99/95/90% confidence, 0 not significant, -1/-2/-3 cold. */
export type HotspotClass = -3 | -2 | -1 | 0 | 1 | 2 | 3;
export interface HotspotPrivacy {
  k: number;
  applied: boolean;
  suppressedCells: number;
}

export interface HotspotCell {
  code: string;
  name?: string | null;
  value?: number;
  z?: number | null;
  p?: number | null;
  /** Benjamini–Hochberg adjusted p-value. */
  q?: number | null;
  class?: HotspotClass;
  neighbours?: number;
  suppressed?: true;
}

/** GET /api/hotspots: Getis-Ord Gi* per grid or community. */
export interface HotspotMap {
  metric: HotspotMetric;
  label: string;
  unit: string;
  definition: string;
  level: HotspotLevel;
  within: string | null;
  time: HeatmapTime;
  method: { statistic: string; neighbourhood: string; pValue: string; fdr: boolean; studyArea: string };
  privacy: HotspotPrivacy;
  /** Hot to cold, with the number of cells in each class. */
  classes: { class: HotspotClass; label: string; labelZh: string; confidence: number | null; cells: number }[];
  cells: HotspotCell[];
}

export interface HotspotQuery {
  level: HotspotLevel;
  within?: string;
  asOf?: string;
  from?: string;
  to?: string;
}

export interface EmergingCategory {
  category: string;
  label: string;
  labelZh: string;
  definition: string;
  definitionZh: string;
  hot: boolean;
  cells: number;
}

/** A suppressed cell (fewer than k people) carries its code and name only. */
export interface EmergingCell {
  code: string;
  name?: string | null;
  category?: string;
  /** Mann-Kendall trend of the cell's monthly Gi* z-scores. */
  trend?: { tau: number; z: number; p: number } | null;
  latest?: { z: number; p: number; q?: number; class: HotspotClass } | null;
  hotMonths?: number;
  coldMonths?: number;
  suppressed?: true;
}

/** GET /api/hotspots/emerging: emerging hot-spot categories from monthly Gi*. */
export interface EmergingHotspots {
  metric: HotspotMetric;
  level: HotspotLevel;
  within: string | null;
  months: string[];
  method: { statistic: string; neighbourhood: string; trend: string; reference: string };
  privacy: HotspotPrivacy;
  categories: EmergingCategory[];
  cells: EmergingCell[];
}

export interface EmergingQuery {
  level: HotspotLevel;
  within?: string;
  to?: string;
  months?: number;
}

export type ChangeMetric = 'floating' | 'cases';
export type ChangeBaseline = 'last_month' | 'last_year';

export interface ChangeRow {
  code: string;
  name?: string | null;
  current: number | null;
  previous: number | null;
  change: number | null;
  changePct: number | null;
  p: number | null;
  q: number | null;
  significant: boolean;
  direction: 'up' | 'down' | 'same';
  suppressed?: true;
}

/** GET /api/hotspots/changes: grids ranked by the change against last month or the same month last year. */
export interface HotspotChanges {
  metric: ChangeMetric;
  level: HotspotLevel;
  within: string | null;
  asOf: string;
  baseDate: string;
  against: ChangeBaseline;
  method: { test: string; fdr: boolean; alpha?: number };
  privacy: HotspotPrivacy;
  /** Cells in the study area, tested or not, before the limit. */
  totalCells?: number;
  rows: ChangeRow[];
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

export interface RentalRule {
  id: number;
  factor: string;
  params: Record<string, unknown>;
  points: number;
  label: string;
  active: boolean;
}

export interface RuleSet {
  version: number;
  note: string | null;
  createdAt: string;
  rules: RentalRule[];
}

export interface ScoringRun {
  from: string;
  to: string;
  months: number;
  rulesVersion: number;
  buildings: number;
  scores: number;
  households: number;
  householdScores: number;
  millis: number;
}

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

export const roles: readonly Role[] = ['leader', 'planner', 'police', 'collector', 'admin', 'auditor'];

/** What JSON makes of a server record: its dates arrive as ISO strings. */
type OverTheWire<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };

/** A user account as the admin screen receives it (server/users/repository.ts). */
export type UserAccount = OverTheWire<UserRecord>;

export interface UserList {
  total: number;
  users: UserAccount[];
}

/** A two-person grant (server/users/grant-repository.ts): asked by one admin, decided by another. */
export type RoleGrant = OverTheWire<GrantRecord>;

export interface GrantList {
  total: number;
  grants: RoleGrant[];
}

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

/** A collector record as the admin picks one to link an account to (GET /api/collectors). */
export interface CollectorChoice {
  id: number;
  name: string;
  employment: 'full_time' | 'part_time';
  active: boolean;
  assignments: { gridCode: string; gridName: string }[];
}

// --- Audit log (server/audit) ------------------------------------------------------------------

export interface AuditRow {
  /** Insert order (paging key). */
  seq: number;
  /** Place in the keyed chain; null until the sequencer links the row (within a second). */
  chain_seq: number | null;
  at: string;
  username: string | null;
  role: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  purpose: string | null;
  details: Record<string, unknown>;
  hash: string;
}

export interface AuditPage {
  rows: AuditRow[];
  next: string | null;
}

export interface AuditFilter {
  username?: string;
  action?: string;
  from?: string;
  to?: string;
  /** Rows with a lower chain number than this (keyset paging, newest first). */
  before?: number;
  limit?: number;
}

export interface ChainVerification {
  ok: boolean;
  rows: number;
  /** chain_seq of the first row whose keyed hash or link does not match. */
  firstBrokenSeq: number | null;
  /** The newest linked chain_seq in the database. */
  headSeq: number;
  /** Rows the sequencer has not linked yet: not covered by this check. */
  unlinked: { rows: number; oldestAt: string | null; oldestAgeSeconds: number | null };
  /** Rows the checkpoints kept outside the database recorded but the database no longer holds as recorded. */
  missingTail: { kind: 'missing' | 'replaced'; afterSeq: number; checkpointAt: string; checkpointSeq: number } | null;
  checkpoints: { valid: number; invalid: number; latest: { at: string; seq: number } | null };
}

/** A personal access token as its owner lists it (GET /api/auth/tokens): never the token itself. */
export interface AccessToken {
  id: number;
  name: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** POST /api/auth/tokens: the token, shown this once. */
export interface NewAccessToken {
  id: number;
  name: string;
  token: string;
  expiresAt: string;
}
