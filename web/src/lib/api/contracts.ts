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
import type { compoundBuilding, compoundDrilldown, compoundList, compoundOutlines, compoundTotals, compoundView } from '../../../../server/compounds/contract.ts';
import type { allocationSettings, collectorView } from '../../../../server/collectors/contract.ts';
import type { healthAnswer } from '../../../../server/health/contract.ts';
import type { heatmapAnswer, heatmapCell } from '../../../../server/heatmaps/contract.ts';
import type { changeRow, changesAnswer, emergingAnswer, emergingCategory, emergingCell, hotspotAnswer, hotspotCell } from '../../../../server/hotspots/contract.ts';
import type { importDetail, importJob, importPreview, previewRow, rowError } from '../../../../server/imports/contract.ts';
import type { mapConfig } from '../../../../server/map/contract.ts';
import type {
  buildingTier, householdsAnswer, householdTier, overdueAnswer, overdueVisit, rentalRule, ruleSetAnswer, scoringRun, tiersAnswer, unitToCheck,
} from '../../../../server/rentals/contract.ts';
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

// Collectors (server/collectors)
export type AllocationSettings = z.infer<typeof allocationSettings>;
/** A collector record as the admin picks one to link an account to (GET /api/collectors). */
export type CollectorChoice = z.infer<typeof collectorView>;

/*
 * Still written out by hand in ./types.ts, and why:
 * - buildings, units, people, permits, reports (Building, BuildingSummary, FloorPlan, UnitOccupants, Person,
 *   PersonRecord, PersonSearchResult, ExpiringPermits, …) and KPIs (KpiReport): their server folders are
 *   being split out of server/registrations (issue 17 item 1); their contracts are outlines until then.
 * - ScoreCard, HouseholdScoreCard (server/rentals): the explanation is an outline in the contract.
 * - Allocation, Shortage, Rebalance (server/collectors): their rows are domain types (domain/allocation.ts,
 *   domain/rebalance.ts) that the contract does not spell out yet.
 * - Queries and bodies the web sends (HeatmapQuery, UserListFilter, NewUserInput, …): the routes' request
 *   schemas are not in the contracts.
 */
