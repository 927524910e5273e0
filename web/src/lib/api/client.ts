/**
 * The one HTTP client of the web app. Same origin, cookie session; every non-GET request
 * carries the CSRF token the server handed out at login (or /me). Failures become ApiError
 * with the server's `{ error: { code, message, details } }` when there is one. File uploads (imports)
 * go through here too, with the same errors.
 */
import type {
  AccessToken,
  ChangeMetric,
  ChangesQuery,
  EmergingHotspots,
  EmergingQuery,
  HotspotChanges,
  HotspotMap,
  HotspotMetric,
  HotspotQuery,
  NewAccessToken,
  Allocation,
  AllocationSort,
  AreaCollection,
  CompoundDrilldown,
  CompoundList,
  CompoundOutlines,
  MapConfig,
  AreaLevel,
  Building,
  ExpiringPermits,
  FloorPlan,
  Health,
  Heatmap,
  HeatmapValues,
  CellOrder,
  HeatmapMetric,
  HouseholdScoreCard,
  HouseholdTiers,
  HeatmapQuery,
  KpiReport,
  OverdueVisits,
  PersonInput,
  PersonRecord,
  PersonSearchKey,
  PersonSearchResult,
  Rebalance,
  RentalRule,
  RuleSet,
  ScoringRun,
  AllocationSettings,
  ScoreCard,
  Session,
  Shortage,
  TierMap,
  UnitOccupants,
  WhatIf,
  AuditFilter,
  AuditPage,
  ChainVerification,
  CollectorChoice,
  GrantList,
  RoleGrant,
  NewUserInput,
  UserAccount,
  UserChanges,
  UserList,
  UserListFilter,
  UnitUse,
  ImportDetail,
  ImportJob,
} from './types.ts';
import type { CoordinateSystem } from '../../../../server/domain/coordinates.ts';
import type { ImportKind, ImportMode } from '../../../../server/domain/word-lists.ts';

export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    /** HTTP status, or 0 when the request never got an answer (network down, server gone). */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  get isUnauthorized(): boolean {
    return this.status === 401;
  }

  get isNetworkFailure(): boolean {
    return this.status === 0;
  }
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; details?: unknown };
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
}

let csrfToken: string | undefined;
const unauthorizedListeners = new Set<() => void>();

/** Called whenever a request that needed a session gets 401 (session expired or revoked). */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** The ApiError of a failed answer, from the server's `{ error: { code, message, details } }` when there is one. */
function errorOf(status: number, statusText: string, body: unknown): ApiError {
  const error = (body as ErrorBody | undefined)?.error;
  const code = typeof error?.code === 'string' ? error.code : `http_${status}`;
  const message = typeof error?.message === 'string' ? error.message : statusText || 'Request failed';
  return new ApiError(status, code, message, error?.details);
}

async function errorFrom(response: Response): Promise<ApiError> {
  const body: unknown = await response.json().catch(() => undefined);
  return errorOf(response.status, response.statusText, body);
}

/** Tells the listeners a request that needed a session got 401 (not the login or session probes themselves). */
function noticeUnauthorized(error: ApiError, path: string): void {
  if (error.isUnauthorized && path !== '/api/auth/login' && path !== '/api/auth/me') {
    for (const listener of unauthorizedListeners) listener();
  }
}

async function request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(0, 'network_error', cause instanceof Error ? cause.message : String(cause));
  }

  if (!response.ok) {
    const error = await errorFrom(response);
    noticeUnauthorized(error, path);
    throw error;
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/**
 * POSTs `form` as multipart form data to `path`, answering with the parsed body of status `accepted`.
 * XMLHttpRequest rather than fetch: fetch reports no upload progress, and a 500 MB file needs a bar.
 */
async function upload<T>(path: string, form: FormData, accepted: number, onProgress: (fraction: number) => void): Promise<T> {
  if (!csrfToken) await api.me();
  if (!csrfToken) throw new ApiError(401, 'unauthenticated', 'Log in first');
  const token = csrfToken;
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', path);
    request.setRequestHeader('X-CSRF-Token', token);
    request.setRequestHeader('Accept', 'application/json');
    request.responseType = 'json';
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      if (request.status === accepted) return resolve(request.response as T);
      const error = errorOf(request.status, request.statusText, request.response);
      noticeUnauthorized(error, path);
      reject(error);
    };
    request.onerror = () => reject(new ApiError(0, 'network_error', 'The upload was interrupted'));
    request.send(form);
  });
}

/** How a file is imported: add only, or add and update rows on file; `preview` checks and reports without changing anything. */
export interface ImportOptions {
  kind: ImportKind;
  crs: CoordinateSystem;
  mode: ImportMode;
  preview: boolean;
}

function remember(session: Session): Session {
  csrfToken = session.csrfToken;
  return session;
}

/** A visit as POST /api/rentals/inspections takes it (server/rentals/routes.ts inspectionBody). */
export interface InspectionInput {
  buildingCode: string;
  unitCode?: string;
  visitedOn: string;
  doorsOk?: boolean;
  hygieneGood?: boolean;
  neighboursGood?: boolean;
  tenantsRegistered?: boolean;
  clueGiven: boolean;
  notes?: string;
  people?: Array<{ personId: number; foundHere: boolean }>;
}

export const api = {
  async login(username: string, password: string): Promise<Session> {
    return remember(await request<Session>('POST', '/api/auth/login', { body: { username, password } }));
  },

  /** The current session, or null when nobody is signed in. */
  async me(): Promise<Session | null> {
    // /api/auth/session answers 200 { user: null } when nobody is: no 401 in the console on the login page.
    const session = await request<Session | { user: null }>('GET', '/api/auth/session');
    return session.user ? remember(session) : null;
  },

  /** One's own new password; it also ends a temporary password's "change it first". */
  changePassword(currentPassword: string, newPassword: string): Promise<void> {
    return request<void>('POST', '/api/auth/password', { body: { currentPassword, newPassword } });
  },

  async logout(): Promise<void> {
    try {
      await request<unknown>('POST', '/api/auth/logout');
    } finally {
      csrfToken = undefined;
    }
  },

  health(signal?: AbortSignal): Promise<Health> {
    return request<Health>('GET', '/api/health', { signal });
  },

  mapConfig(signal?: AbortSignal): Promise<MapConfig> {
    return request<MapConfig>('GET', '/api/map-config', { signal });
  },
  areas(level: AreaLevel, signal?: AbortSignal): Promise<AreaCollection> {
    return request<AreaCollection>('GET', `/api/areas?level=${level}`, { signal });
  },

  /** Compound (小区/院落) outlines inside one's jurisdiction (server/compounds). */
  compoundOutlines(signal?: AbortSignal): Promise<CompoundOutlines> {
    return request<CompoundOutlines>('GET', '/api/compounds.geojson', { signal });
  },

  /** Compounds with their totals and occupancy rate, inside an area (default: one's jurisdiction). */
  compounds(within?: string, signal?: AbortSignal): Promise<CompoundList> {
    return request<CompoundList>('GET', `/api/compounds${query({ within })}`, { signal });
  },

  /** A compound's buildings with their totals; police and collectors state a purpose (people are read and audited). */
  compound(code: string, purpose: string | undefined, signal?: AbortSignal): Promise<CompoundDrilldown> {
    return request<CompoundDrilldown>('GET', `/api/compounds/${encodeURIComponent(code)}${query({ purpose })}`, { signal });
  },

  building(code: string, signal?: AbortSignal): Promise<Building> {
    return request<Building>('GET', `/api/buildings/${encodeURIComponent(code)}`, { signal });
  },

  // Person data: every read states its purpose, which the server audits with the read.
  floorPlan(code: string, purpose: string, signal?: AbortSignal): Promise<FloorPlan> {
    return request<FloorPlan>('GET', `/api/drilldown/buildings/${encodeURIComponent(code)}${query({ purpose })}`, { signal });
  },

  unitOccupants(code: string, purpose: string, signal?: AbortSignal): Promise<UnitOccupants> {
    return request<UnitOccupants>('GET', `/api/units/${encodeURIComponent(code)}/occupants${query({ purpose })}`, { signal });
  },

  searchPeople(by: PersonSearchKey, value: string, purpose: string, signal?: AbortSignal): Promise<PersonSearchResult> {
    return request<PersonSearchResult>('GET', `/api/people/search${query({ [by]: value, purpose })}`, { signal });
  },

  person(id: number, purpose: string, signal?: AbortSignal): Promise<PersonRecord> {
    return request<PersonRecord>('GET', `/api/people/${id}${query({ purpose })}`, { signal });
  },

  registerMoveIns(body: { unitCode: string; movedIn: string; registeredAt?: string; confirmUnitUse?: boolean; people: PersonInput[] }): Promise<unknown> {
    return request<unknown>('POST', '/api/registrations/move-ins', { body });
  },

  registerMoveOut(body: { personId: number; movedOut: string; registeredAt?: string; foundAbsent: boolean }): Promise<unknown> {
    return request<unknown>('POST', '/api/registrations/move-out', { body });
  },

  recordInspection(body: InspectionInput): Promise<{ id: number }> {
    return request<{ id: number }>('POST', '/api/rentals/inspections', { body });
  },

  registerMove(body: { personId: number; toUnitCode: string; movedOn: string; registeredAt?: string }): Promise<unknown> {
    return request<unknown>('POST', '/api/registrations/move', { body });
  },

  issuePermit(body: { personId: number; years: number; issuedOn?: string }): Promise<unknown> {
    return request<unknown>('POST', '/api/permits', { body });
  },

  expiringPermits(grid: string, purpose: string, signal?: AbortSignal): Promise<ExpiringPermits> {
    return request<ExpiringPermits>('GET', `/api/permits/expiring${query({ grid, purpose })}`, { signal });
  },

  renewPermit(id: number, years: number): Promise<unknown> {
    return request<unknown>('POST', `/api/permits/${id}/renew`, { body: { years } });
  },

  rentalTiers(params: { month?: string; gridCode?: string }, signal?: AbortSignal): Promise<TierMap> {
    return request<TierMap>('GET', `/api/rentals/tiers${query(params)}`, { signal });
  },

  scoreCard(code: string, signal?: AbortSignal): Promise<ScoreCard> {
    return request<ScoreCard>('GET', `/api/rentals/buildings/${encodeURIComponent(code)}`, { signal });
  },

  householdTiers(buildingCode: string, signal?: AbortSignal): Promise<HouseholdTiers> {
    return request<HouseholdTiers>('GET', `/api/rentals/buildings/${encodeURIComponent(buildingCode)}/households`, { signal });
  },

  householdScoreCard(unitCode: string, signal?: AbortSignal): Promise<HouseholdScoreCard> {
    return request<HouseholdScoreCard>('GET', `/api/rentals/units/${encodeURIComponent(unitCode)}`, { signal });
  },

  /** The visit to a unit flagged for checking: the use found there clears the flag. */
  checkUnit(unitCode: string, body: { visitedOn: string; use: UnitUse }): Promise<{ unitCode: string; use: UnitUse; previousUse: UnitUse }> {
    return request('POST', `/api/units/${unitCode}/check`, { body });
  },

  overdueVisits(params: { role?: 'police' | 'collector'; gridCode?: string }, signal?: AbortSignal): Promise<OverdueVisits> {
    return request<OverdueVisits>('GET', `/api/rentals/overdue${query(params)}`, { signal });
  },

  heatmap(metric: HeatmapMetric, params: HeatmapQuery, signal?: AbortSignal): Promise<Heatmap> {
    return request<Heatmap>('GET', `/api/heatmaps/${metric}${query({ ...params })}`, { signal });
  },

  /** The heatmap as values only, in the order of heatmapCells (area levels, no bbox). */
  heatmapValues(metric: HeatmapMetric, params: HeatmapQuery, signal?: AbortSignal): Promise<HeatmapValues> {
    return request<HeatmapValues>('GET', `/api/heatmaps/${metric}${query({ ...params, shape: 'values' })}`, { signal });
  },

  /** An area level's cells in heatmap order (kept per data version, answered 304 when unchanged). */
  heatmapCells(level: AreaLevel, signal?: AbortSignal): Promise<CellOrder> {
    return request<CellOrder>('GET', `/api/heatmaps/cells${query({ level })}`, { signal });
  },

  hotspots(metric: HotspotMetric, params: HotspotQuery, signal?: AbortSignal): Promise<HotspotMap> {
    return request<HotspotMap>('GET', `/api/hotspots${query({ metric, ...params })}`, { signal });
  },

  emergingHotspots(metric: HotspotMetric, params: EmergingQuery, signal?: AbortSignal): Promise<EmergingHotspots> {
    return request<EmergingHotspots>('GET', `/api/hotspots/emerging${query({ metric, ...params })}`, { signal });
  },

  hotspotChanges(metric: ChangeMetric, params: ChangesQuery, signal?: AbortSignal): Promise<HotspotChanges> {
    return request<HotspotChanges>('GET', `/api/hotspots/changes${query({ metric, ...params })}`, { signal });
  },

  kpis(params: { area: string; asOf?: string }, signal?: AbortSignal): Promise<KpiReport> {
    return request<KpiReport>('GET', `/api/kpis${query(params)}`, { signal });
  },

  rentalRules(signal?: AbortSignal): Promise<RuleSet> {
    return request<RuleSet>('GET', '/api/rentals/rules', { signal });
  },

  /** Without `confirm`, a version that drops rules of the current one answers 409 confirmation_required listing them. */
  publishRentalRules(note: string, rules: Omit<RentalRule, 'id'>[], confirm = false): Promise<RuleSet> {
    return request<RuleSet>('POST', '/api/rentals/rules', { body: { note: note || undefined, rules, confirm: confirm || undefined } });
  },

  runScoring(from: string, to: string): Promise<ScoringRun> {
    return request<ScoringRun>('POST', '/api/rentals/scores/run', { body: { from, to } });
  },

  allocationSettings(signal?: AbortSignal): Promise<{ settings: AllocationSettings }> {
    return request<{ settings: AllocationSettings }>('GET', '/api/collectors/settings', { signal });
  },

  saveAllocationSettings(settings: AllocationSettings): Promise<{ settings: AllocationSettings }> {
    return request<{ settings: AllocationSettings }>('PUT', '/api/collectors/settings', { body: settings });
  },

  allocation(params: WhatIf & { sort: AllocationSort; level?: AreaLevel }, signal?: AbortSignal): Promise<Allocation> {
    return request<Allocation>('GET', `/api/collectors/allocation${query(params)}`, { signal });
  },

  shortage(params: WhatIf, signal?: AbortSignal): Promise<Shortage> {
    return request<Shortage>('GET', `/api/collectors/shortage${query(params)}`, { signal });
  },

  /** `reach`: hops over shared grid boundaries a move may span; the server's default when absent. */
  rebalance(params: WhatIf & { reach?: number }, signal?: AbortSignal): Promise<Rebalance> {
    return request<Rebalance>('GET', `/api/collectors/rebalance${query(params)}`, { signal });
  },

  users(filter: UserListFilter, signal?: AbortSignal): Promise<UserList> {
    return request<UserList>('GET', `/api/users${query({ ...filter })}`, { signal });
  },

  createUser(body: NewUserInput): Promise<UserAccount> {
    return request<UserAccount>('POST', '/api/users', { body });
  },

  changeUser(id: number, changes: UserChanges): Promise<UserAccount> {
    return request<UserAccount>('PATCH', `/api/users/${id}`, { body: changes });
  },

  resetUserPassword(id: number, temporaryPassword: string): Promise<void> {
    return request<void>('POST', `/api/users/${id}/password`, { body: { temporaryPassword } });
  },

  /** Two-person grants, newest first (admins and the auditor). */
  grants(filter: { status?: 'pending' | 'approved' | 'rejected' | 'superseded'; limit?: number; offset?: number }, signal?: AbortSignal): Promise<GrantList> {
    return request<GrantList>('GET', `/api/users/grants${query({ ...filter })}`, { signal });
  },

  decideGrant(id: number, decision: 'approve' | 'reject'): Promise<RoleGrant> {
    return request<RoleGrant>('POST', `/api/users/grants/${id}/${decision}`);
  },

  /** Active collectors an account can be linked to (admins may list them). */
  collectorChoices(signal?: AbortSignal): Promise<{ total: number; collectors: CollectorChoice[] }> {
    return request<{ total: number; collectors: CollectorChoice[] }>('GET', '/api/collectors?active=true&limit=1000', { signal });
  },

  auditLog(filter: AuditFilter, signal?: AbortSignal): Promise<AuditPage> {
    return request<AuditPage>('GET', `/api/audit${query({ ...filter })}`, { signal });
  },

  verifyAuditChain(signal?: AbortSignal): Promise<ChainVerification> {
    return request<ChainVerification>('GET', '/api/audit/verify', { signal });
  },

  /** The caller's own personal access tokens (names and dates, never the tokens). */
  accessTokens(signal?: AbortSignal): Promise<{ tokens: AccessToken[] }> {
    return request<{ tokens: AccessToken[] }>('GET', '/api/auth/tokens', { signal });
  },

  /** A new token: the answer is the only place the token itself is ever shown. */
  createAccessToken(body: { name: string; expiresInDays: number }): Promise<NewAccessToken> {
    return request<NewAccessToken>('POST', '/api/auth/tokens', { body });
  },

  revokeAccessToken(id: number): Promise<void> {
    return request<void>('DELETE', `/api/auth/tokens/${id}`);
  },

  /** The caller's most recent import jobs. */
  recentImports(signal?: AbortSignal): Promise<{ jobs: ImportJob[] }> {
    return request<{ jobs: ImportJob[] }>('GET', `/api/imports${query({ limit: 20 })}`, { signal });
  },

  importJob(id: number, signal?: AbortSignal): Promise<ImportDetail> {
    return request<ImportDetail>('GET', `/api/imports/${id}`, { signal });
  },

  /** Uploads `file` for import; `onProgress` gets the fraction sent. Resolves with the accepted job (202). */
  async uploadImport(file: File, { kind, crs, mode, preview }: ImportOptions, onProgress: (fraction: number) => void): Promise<ImportJob> {
    const form = new FormData();
    form.append('file', file, file.name);
    const path = `/api/imports${query({ kind, crs, filename: file.name, mode, preview: String(preview) })}`;
    return (await upload<{ job: ImportJob }>(path, form, 202, onProgress)).job;
  },
};

/** The empty template of an import kind, its header row in Chinese and English. */
export const importTemplateUrl = (kind: ImportKind, format: 'csv' | 'xlsx') => `/api/imports/templates/${kind}.${format}`;

/** Where the planner's export files download from (a plain link: the browser saves the attachment). */
export function planExportUrl(format: 'csv' | 'xlsx', whatIf: WhatIf & { reach?: number }): string {
  return `/api/collectors/plan.${format}${query(whatIf)}`;
}

/** `?a=1&b=2` from the defined values, or '' when there are none. */
export function query(params: Record<string, string | number | undefined>): string {
  const defined = Object.entries(params).filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== '');
  if (defined.length === 0) return '';
  return `?${new URLSearchParams(defined.map(([key, value]) => [key, String(value)])).toString()}`;
}

export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
