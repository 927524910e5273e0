/**
 * The one file where the web reads the server's answer contracts (server/<feature>/contract.ts,
 * zod schemas checked against real answers by tests/api/openapi-contract.test.ts). The web's
 * types are inferred from them, so the two cannot drift apart; when a server feature folder
 * moves, only the paths below change. Type-only imports: no zod reaches the bundle.
 * tests/unit/web-imports.test.ts keeps the web off every other server module but server/domain.
 */
import type { z } from 'zod';
import type { auditPage, auditRow, trailVerification } from '../../../../server/audit/contract.ts';
import type { newToken, sessionAnswer, sessionUser, tokenView } from '../../../../server/auth/contract.ts';
import type { areaProperties } from '../../../../server/areas/contract.ts';
import type { buildingDetail, buildingSummary, floorCounts, floorPlanAnswer, unitPlan } from '../../../../server/buildings/contract.ts';
import type {
  compoundBuilding,
  compoundDrilldown,
  compoundList,
  compoundOutlines,
  compoundTotals,
  compoundView,
} from '../../../../server/compounds/contract.ts';
import type {
  allocationAnswer,
  allocationRow,
  allocationSettings,
  collectorView,
  communityNeedSteps,
  gridNeedSteps,
  proposedMove,
  rebalanceAnswer,
  shortageAnswer,
} from '../../../../server/collectors/contract.ts';
import type { personView, residenceView, stayDates, stayView } from '../../../../server/domain/person-shapes.ts';
import type { healthAnswer } from '../../../../server/health/contract.ts';
import type { cellOrderAnswer, heatmapAnswer, heatmapCell, heatmapValuesAnswer } from '../../../../server/heatmaps/contract.ts';
import type {
  changeRow,
  changesAnswer,
  emergingAnswer,
  emergingCategory,
  emergingCell,
  hotspotAnswer,
  hotspotCell,
} from '../../../../server/hotspots/contract.ts';
import type { importDetail, importJob, importPreview, previewRow, rowError } from '../../../../server/imports/contract.ts';
import type { mapConfig } from '../../../../server/map/contract.ts';
import type { kpi, kpiReport } from '../../../../server/kpis/contract.ts';
import type { peopleSearchAnswer, personAnswer } from '../../../../server/people/contract.ts';
import type { expiringPermit, expiringPermitsAnswer } from '../../../../server/permits/contract.ts';
import type {
  buildingTier,
  householdsAnswer,
  householdScoreCardAnswer,
  householdTier,
  overdueAnswer,
  overdueVisit,
  rentalRule,
  ruleSetAnswer,
  scoreCardAnswer,
  scoreFactor,
  scoringRun,
  tiersAnswer,
  unitToCheck,
} from '../../../../server/rentals/contract.ts';
import type { occupantsAnswer, unitDetail } from '../../../../server/units/contract.ts';
import type { grantList, grantView, userList, userView } from '../../../../server/users/contract.ts';

// Auth (server/auth)
export type SessionUser = z.infer<typeof sessionUser>;
export type Session = z.infer<typeof sessionAnswer>;
/** A personal access token as its owner lists it (GET /api/auth/tokens): never the token itself. */
export type AccessToken = z.infer<typeof tokenView>;
/** POST /api/auth/tokens: the token, shown this once. */
export type NewAccessToken = z.infer<typeof newToken>;

// Health and map configuration (server/health, server/map)
export type Health = z.infer<typeof healthAnswer>;
/** GET /api/map-config: the office's intranet basemap style, or null (no basemap); gcj02: its raster tiles are GCJ-02. */
export type MapConfig = z.infer<typeof mapConfig>;

// Areas (server/areas): the properties of each area feature.
export type AreaProperties = z.infer<typeof areaProperties>;

// Compounds (server/compounds)
export type CompoundOutlineProperties = z.infer<typeof compoundOutlines>['features'][number]['properties'];
/** A compound's totals: occupancy rate = occupied units ÷ units, in percent; residents null when withheld under k. */
export type CompoundTotals = z.infer<typeof compoundTotals>;
export type CompoundSummary = z.infer<typeof compoundView>;
/** GET /api/compounds?within= */
export type CompoundList = z.infer<typeof compoundList>;
/** One building of a compound's drill-down; leaders and planners get no people and may get a withheld count. */
export type CompoundBuilding = z.infer<typeof compoundBuilding>;
/** GET /api/compounds/:code */
export type CompoundDrilldown = z.infer<typeof compoundDrilldown>;

// Users (server/users)
/** A user account as the admin screen receives it. */
export type UserAccount = z.infer<typeof userView>;
/** A two-person grant: asked by one admin, decided by another. */
export type RoleGrant = z.infer<typeof grantView>;
export type UserList = z.infer<typeof userList>;
export type GrantList = z.infer<typeof grantList>;

// Audit (server/audit)
export type AuditRow = z.infer<typeof auditRow>;
export type AuditPage = z.infer<typeof auditPage>;
export type ChainVerification = z.infer<typeof trailVerification>;

// Imports (server/imports)
/** The job as GET /api/imports/:id answers it. */
export type ImportJob = z.infer<typeof importJob>;
export type ImportPreview = z.infer<typeof importPreview>;
export type PreviewRow = z.infer<typeof previewRow>;
/** A bad row: the reason in English (`message`, also `reason`) and Chinese (`messageZh`). */
export type RowError = z.infer<typeof rowError>;
export type ImportDetail = z.infer<typeof importDetail>;

// Heat maps (server/heatmaps)
export type HeatmapCell = z.infer<typeof heatmapCell>;
/** GET /api/heatmaps/:metric (shape=cells). */
export type Heatmap = z.infer<typeof heatmapAnswer>;
/** GET /api/heatmaps/:metric?shape=values: one value per cell in the order of GET /api/heatmaps/cells. */
export type HeatmapValues = z.infer<typeof heatmapValuesAnswer>;
/** GET /api/heatmaps/cells: an area level's cells (codes and names) in heatmap order, once per version of the shapes. */
export type CellOrder = z.infer<typeof cellOrderAnswer>;
/** Which moment or period the figures describe. */
export type HeatmapTime = Heatmap['time'];

// Hot spots (server/hotspots, issue 21)
export type HotspotCell = z.infer<typeof hotspotCell>;
/** GET /api/hotspots: Getis-Ord Gi* per grid or community. */
export type HotspotMap = z.infer<typeof hotspotAnswer>;
export type HotspotPrivacy = HotspotMap['privacy'];
export type EmergingCategory = z.infer<typeof emergingCategory>;
/** A suppressed cell (fewer than k people) carries its code and name only. */
export type EmergingCell = z.infer<typeof emergingCell>;
/** GET /api/hotspots/emerging: emerging hot-spot categories from monthly Gi*. */
export type EmergingHotspots = z.infer<typeof emergingAnswer>;
export type ChangeRow = z.infer<typeof changeRow>;
/** GET /api/hotspots/changes: grids ranked by the change against last month or the same month last year. */
export type HotspotChanges = z.infer<typeof changesAnswer>;

// Rentals (server/rentals)
export type RentalRule = z.infer<typeof rentalRule>;
export type RuleSet = z.infer<typeof ruleSetAnswer>;
export type ScoringRun = z.infer<typeof scoringRun>;
export type BuildingTier = z.infer<typeof buildingTier>;
export type TierMap = z.infer<typeof tiersAnswer>;
/** A household: a let unit of a building let separately (分租), scored on its own. */
export type HouseholdTier = z.infer<typeof householdTier>;
export type HouseholdTiers = z.infer<typeof householdsAnswer>;
export type OverdueVisit = z.infer<typeof overdueVisit>;
/** A unit the register changed under (a move-in into a vacant unit, its last occupant left): the collector visits it. */
export type UnitToCheck = z.infer<typeof unitToCheck>;
export type OverdueVisits = z.infer<typeof overdueAnswer>;

// Collectors (server/collectors): settings, the roster, and the planner's allocation, shortage and rebalancing answers.
export type AllocationSettings = z.infer<typeof allocationSettings>;
/** A collector record as the admin picks one to link an account to (GET /api/collectors). */
export type CollectorChoice = z.infer<typeof collectorView>;
/** How a community's need was found and shared out, step by step. */
export type CommunityNeedSteps = z.infer<typeof communityNeedSteps>;
/** A grid's need: its share of its community's. */
export type GridNeedSteps = z.infer<typeof gridNeedSteps>;
/** One area's allocation figures plus its name; grid rows carry their steps, community rows theirs. */
export type AllocationRow = z.infer<typeof allocationRow>;
/** GET /api/collectors/allocation */
export type Allocation = z.infer<typeof allocationAnswer>;
/** GET /api/collectors/shortage */
export type Shortage = z.infer<typeof shortageAnswer>;
export type ProposedMove = z.infer<typeof proposedMove>;
export type MoveEnd = ProposedMove['from'];
/** GET /api/collectors/rebalance */
export type Rebalance = z.infer<typeof rebalanceAnswer>;

// People, stays and residences (server/domain/person-shapes.ts), as people, buildings, units and permits answer them.
/** A person as the caller may see them: ID and phone are masked, the birth date left out, for everyone but police. */
export type Person = z.infer<typeof personView>;
/** The dates of one stay and the registration rules they break (late, never deregistered). */
export type StayDates = z.infer<typeof stayDates>;
export type Stay = z.infer<typeof stayView>;
export type Residence = z.infer<typeof residenceView>;

// Buildings and units (server/buildings, server/units)
/** What every view of a building starts with. */
export type BuildingSummary = z.infer<typeof buildingSummary>;
export type Building = z.infer<typeof buildingDetail>;
export type UnitPlan = z.infer<typeof unitPlan>;
export type FloorCounts = z.infer<typeof floorCounts>;
/** GET /api/drilldown/buildings/:code: floors → units → current occupants. */
export type FloorPlan = z.infer<typeof floorPlanAnswer>;
export type UnitDetail = z.infer<typeof unitDetail>;
/** GET /api/units/:code/occupants */
export type UnitOccupants = z.infer<typeof occupantsAnswer>;

// People and permits (server/people, server/permits)
/** GET /api/people/search */
export type PersonSearchResult = z.infer<typeof peopleSearchAnswer>;
/** GET /api/people/:id: the person with current residence and permits. */
export type PersonRecord = z.infer<typeof personAnswer>;
export type ExpiringPermit = z.infer<typeof expiringPermit>;
/** GET /api/permits/expiring */
export type ExpiringPermits = z.infer<typeof expiringPermitsAnswer>;

// KPIs (server/kpis)
export type Kpi = z.infer<typeof kpi>;
/** GET /api/kpis */
export type KpiReport = z.infer<typeof kpiReport>;

// Rental score cards (server/rentals)
export type ScoreFactor = z.infer<typeof scoreFactor>;
/** GET /api/rentals/buildings/:code: the score card with its visit schedule and the tiers of its households (分租). */
export type ScoreCard = z.infer<typeof scoreCardAnswer>;
/** GET /api/rentals/units/:code: a household's score card; no visit schedule of its own. */
export type HouseholdScoreCard = z.infer<typeof householdScoreCardAnswer>;

/*
 * Still written out by hand in ./types.ts, and why: shapes the web builds itself and sends, that no
 * server contract declares (they live in the routes' request schemas, which import http/ helpers the
 * web may not read): the query shapes (HeatmapQuery, HotspotQuery, EmergingQuery, ChangesQuery,
 * UserListFilter, AuditFilter, WhatIf), the bodies (PersonInput, NewUserInput, UserAssignment,
 * UserChanges), and the properties of the /tiles/buildings vector tiles (BuildingTileProperties).
 */
