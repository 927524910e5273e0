/**
 * Residency histories (居住登记) over the last three years. A household moves as one: its stays
 * are laid out in time order with gaps between them, the last one in its own unit, open when
 * the household still lives there. Registration usually follows the move within 0–6 days.
 */
import { isRegistrationExempt } from '../../domain/registration-rules.ts';
import { HISTORY_DAYS } from './config.ts';
import { fromDays, toDays } from './dates.ts';
import type { Household, HouseholdKind } from './people.ts';
import { rngFor, type Rng } from './random.ts';
import type { CityRegister, UnitRef } from './register.ts';
import type { Residency } from './types.ts';

export interface PersonSpan {
  /** First move-in and last move-out (null while still living in the district), as days. */
  firstIn: number;
  lastOut: number | null;
}

/** The stays of some households' members, and each member's span in the district. */
export interface History {
  residencies: Residency[];
  spans: Map<number, PersonSpan>;
}

interface Stay {
  unit: UnitRef;
  movedIn: number;
  movedOut: number | null;
  registeredAt: number;
  deregisteredAt: number | null;
}

const STAY_COUNTS: Record<HouseholdKind, readonly (readonly [number, number])[]> = {
  local_family: [
    [1, 0.85],
    [2, 0.15],
  ],
  floating_single: [
    [1, 0.5],
    [2, 0.32],
    [3, 0.18],
  ],
  floating_shared: [
    [1, 0.55],
    [2, 0.3],
    [3, 0.15],
  ],
  floating_family: [
    [1, 0.6],
    [2, 0.3],
    [3, 0.1],
  ],
  dorm: [
    [1, 0.7],
    [2, 0.25],
    [3, 0.05],
  ],
  overseas: [
    [1, 0.8],
    [2, 0.2],
  ],
};

const ON_TIME_DELAYS = [
  [0, 30],
  [1, 25],
  [2, 15],
  [3, 10],
  [4, 8],
  [5, 6],
  [6, 6],
] as const;
const LATE_REGISTRATION = 0.08;
/** More than REGISTRATION_DEADLINE_DAYS (7) after the event is late. */
const LATE_AFTER = 8;
/**
 * Floating households that moved in without registering and without deregistering where they
 * lived before: a collector's visit found them, weeks or months later, and registered them then
 * (a late registration, and an unregistered departure behind it). Until that visit they live in
 * the district unregistered, so 居住登记率 on those days falls short (the field reports aim at 95 %).
 */
const FOUND_BY_VISIT = 0.14;
const FOUND_AFTER_DAYS = [20, 240] as const;
const FLOATING_KINDS: ReadonlySet<HouseholdKind> = new Set(['floating_single', 'floating_shared', 'floating_family', 'dorm']);

/**
 * Stays household by household from one random stream. Earlier stays are drawn from the units of
 * the whole district, so the planner needs every building before the first household.
 */
export class ResidencyPlanner {
  private readonly rng: Rng;
  /** Its own stream, so that the stays drawn from `rng` are the same with or without it. */
  private readonly visits: Rng;
  private readonly clock: Clock;
  private readonly pools: UnitPools;

  constructor(
    seed: number,
    private readonly register: CityRegister,
    today: string,
  ) {
    this.rng = rngFor(seed, 'residencies');
    this.visits = rngFor(seed, 'found-by-visit');
    this.clock = { today: toDays(today), start: toDays(today) - HISTORY_DAYS };
    this.pools = new UnitPools(register);
  }

  /** The stays of these households' members. A unit's households must come in one call, current first. */
  plan(households: readonly Household[]): History {
    const { rng, pools, clock } = this;
    const currentSince = new Map<UnitRef, number>();
    const history: History = { residencies: [], spans: new Map() };
    for (const household of households) {
      const stays = household.current
        ? currentStays(rng, household, pools, clock)
        : departedStays(rng, household, pools, clock, currentSince.get(household.unit));
      if (household.current) currentSince.set(household.unit, stays.at(-1)!.movedIn);
      if (household.current && FLOATING_KINDS.has(household.kind) && this.visits.chance(FOUND_BY_VISIT)) foundByVisit(this.visits, stays, clock.today);
      for (const person of household.members) addPersonStays(history, this.register, person.id, person.birthDate, stays, clock.today);
    }
    return history;
  }
}

interface Clock {
  today: number;
  start: number;
}

function currentStays(rng: Rng, household: Household, pools: UnitPools, clock: Clock): Stay[] {
  const span = clock.today - clock.start;
  const movedIn = household.kind === 'local_family' ? clock.start + rng.int(0, span) : clock.today - Math.floor(span * rng.next() ** 1.6);
  const last = stay(rng, household.unit, movedIn, null, clock.today);
  return [...earlierStays(rng, household, pools, clock, movedIn), last];
}

/** A household that has left: its last stay in its unit ended before the present household moved in. */
function departedStays(rng: Rng, household: Household, pools: UnitPools, clock: Clock, nextArrival: number | undefined): Stay[] {
  let unit = household.unit;
  let movedOut: number;
  if (nextArrival === undefined) movedOut = clock.today - rng.int(3, clock.today - clock.start - 45);
  else if (nextArrival - clock.start >= 60) movedOut = nextArrival - rng.int(1, Math.min(30, nextArrival - clock.start - 45));
  else {
    unit = pools.similar(rng, household);
    movedOut = clock.today - rng.int(3, clock.today - clock.start - 45);
  }
  const movedIn = Math.max(clock.start, movedOut - rng.int(30, 700));
  const last = stay(rng, unit, movedIn, movedOut, clock.today);
  return [...earlierStays(rng, household, pools, clock, movedIn), last];
}

/** Up to two earlier stays elsewhere in the district, back to back before `before`. */
function earlierStays(rng: Rng, household: Household, pools: UnitPools, clock: Clock, before: number): Stay[] {
  const count = rng.choose(STAY_COUNTS[household.kind]) - 1;
  const stays: Stay[] = [];
  let cursor = before;
  for (let index = 0; index < count; index += 1) {
    const movedOut = cursor - rng.int(1, 40);
    if (movedOut - clock.start < 30) break;
    const movedIn = Math.max(clock.start, movedOut - rng.int(60, 540));
    stays.unshift(stay(rng, pools.similar(rng, household), movedIn, movedOut, clock.today));
    cursor = movedIn;
  }
  return stays;
}

/** The household's last move went unregistered both ways until a visit found it (FOUND_BY_VISIT). */
function foundByVisit(rng: Rng, stays: Stay[], today: number): void {
  const current = stays.at(-1)!;
  current.registeredAt = Math.min(today, current.movedIn + rng.int(...FOUND_AFTER_DAYS));
  const before = stays.at(-2);
  if (before) before.deregisteredAt = null;
}

function stay(rng: Rng, unit: UnitRef, movedIn: number, movedOut: number | null, today: number): Stay {
  const registeredAt = Math.min(today, movedIn + registrationDelay(rng));
  let deregisteredAt: number | null = null;
  if (movedOut !== null && !rng.chance(0.05)) {
    const delay = rng.chance(0.88) ? rng.choose(ON_TIME_DELAYS) : rng.int(LATE_AFTER, 45);
    deregisteredAt = movedOut + delay <= today ? movedOut + delay : null;
  }
  return { unit, movedIn, movedOut, registeredAt, deregisteredAt };
}

function registrationDelay(rng: Rng): number {
  return rng.chance(LATE_REGISTRATION) ? rng.int(LATE_AFTER, 60) : rng.choose(ON_TIME_DELAYS);
}

/** Copies the household's stays to one member, leaving out the time before they were born. */
function addPersonStays(history: History, register: CityRegister, personId: number, birthDate: string, stays: Stay[], today: number): void {
  const born = toDays(birthDate);
  let span: PersonSpan | undefined;
  for (const item of stays) {
    if (item.movedOut !== null && item.movedOut < born) continue;
    const movedIn = Math.max(item.movedIn, born);
    const registeredAt = Math.min(today, Math.max(item.registeredAt, movedIn));
    history.residencies.push({
      personId,
      unitCode: register.unitCode(item.unit),
      registrationExempt: isRegistrationExempt(birthDate, fromDays(movedIn)),
      movedIn: fromDays(movedIn),
      movedOut: item.movedOut === null ? null : fromDays(item.movedOut),
      registeredAt: fromDays(registeredAt),
      deregisteredAt: item.deregisteredAt === null ? null : fromDays(item.deregisteredAt),
    });
    span = span ? { firstIn: span.firstIn, lastOut: item.movedOut } : { firstIn: movedIn, lastOut: item.movedOut };
  }
  if (!span) throw new Error(`person ${personId} has no stay after birth`);
  history.spans.set(personId, span);
}

/**
 * Units people move between: rentals, dormitories and owned flats, near (same grid) or anywhere.
 * Each pool lists units in register order, as typed arrays: at city scale they hold 9 million.
 */
class UnitPools {
  private readonly byUse = new Map<string, Int32Array>();
  private readonly byGridUse = new Map<string, Int32Array>();

  constructor(register: CityRegister) {
    // Two passes: count each pool, then fill it.
    const sizes = new Map<string, number>();
    const count = (key: string) => sizes.set(key, (sizes.get(key) ?? 0) + 1);
    forEachPooledUnit(register, (unit, use, gridUse) => {
      count(use);
      count(gridUse);
    });
    const filled = new Map<string, number>();
    const put = (pools: Map<string, Int32Array>, key: string, unit: UnitRef) => {
      let pool = pools.get(key);
      if (!pool) pools.set(key, (pool = new Int32Array(sizes.get(key)!)));
      const at = filled.get(key) ?? 0;
      pool[at] = unit;
      filled.set(key, at + 1);
    };
    forEachPooledUnit(register, (unit, use, gridUse) => {
      put(this.byUse, use, unit);
      put(this.byGridUse, gridUse, unit);
    });
  }

  similar(rng: Rng, household: Household): UnitRef {
    const use = household.kind === 'dorm' ? 'dormitory' : household.kind === 'local_family' && rng.chance(0.6) ? 'self_occupied' : 'rented';
    const near = this.byGridUse.get(`${household.site.gridCode}|${use}`);
    const pool = near && near.length > 1 && rng.chance(0.5) ? near : (this.byUse.get(use) ?? this.byUse.get('rented'));
    if (!pool || pool.length === 0) return household.unit;
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const unit = pool[rng.index(pool.length)]!;
      if (unit !== household.unit) return unit;
    }
    return pool[rng.index(pool.length)]!;
  }
}

/** Units of active buildings that people live in, in register order, with their pool keys. */
function forEachPooledUnit(register: CityRegister, visit: (unit: UnitRef, use: string, gridUse: string) => void): void {
  for (const site of register.sites) {
    if (site.status !== 'active') continue;
    for (let unit = site.firstUnit; unit < site.firstUnit + site.unitCount; unit += 1) {
      const use = register.unitUse(unit);
      if (use !== 'vacant' && use !== 'shop') visit(unit, use, `${site.gridCode}|${use}`);
    }
  }
}
