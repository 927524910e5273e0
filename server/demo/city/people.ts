/**
 * Households and the people in them. Every occupied unit gets a current household whose make-up
 * follows the unit (local families in owned flats, floating singles, room-sharers and families
 * in rentals, workers in dormitories, a few foreigners); some units also had a household that
 * has since left the district.
 */
import { CITY_PREFIX } from './config.ts';
import { fromDays, toDays } from './dates.ts';
import { ethnicityFor, LOCAL_ORIGIN, pickOrigin, pickShenzhenDivision, ruralAddress, type Origin } from './divisions.ts';
import { IdentityFactory } from './identity.ts';
import { businessName, chineseName, foreignName, mobilePhone, NATIONALITIES, pickSurname } from './names.ts';
import { rngFor, type Rng } from './random.ts';
import type { CityRegister, UnitRef } from './register.ts';
import type { Person, Site } from './types.ts';
import type { FloatingType, PersonCategory, UnitUse } from '../../db/schema.ts';

export type HouseholdKind = 'local_family' | 'floating_single' | 'floating_shared' | 'floating_family' | 'dorm' | 'overseas';

export interface Household {
  kind: HouseholdKind;
  unit: UnitRef;
  site: Site;
  /** Still living in the unit today; otherwise the household has left the district. */
  current: boolean;
  members: Person[];
}

type Table = readonly (readonly [HouseholdKind, number])[];

const SELF_OCCUPIED: Table = [
  ['local_family', 0.8],
  ['floating_family', 0.18],
  ['overseas', 0.02],
];
const RENTED_VILLAGE: Table = [
  ['floating_single', 0.4],
  ['floating_shared', 0.3],
  ['floating_family', 0.27],
  ['local_family', 0.025],
  ['overseas', 0.005],
];
const RENTED_FLAT: Table = [
  ['floating_single', 0.25],
  ['floating_shared', 0.2],
  ['floating_family', 0.4],
  ['local_family', 0.1],
  ['overseas', 0.05],
];
/** Chance that a unit of this use also had a household that has since left. */
const DEPARTED_CHANCE: Record<UnitUse, number> = { rented: 0.16, dormitory: 0.35, vacant: 0.35, self_occupied: 0.04, shop: 0 };

/**
 * Floating people living in the district whom nobody registered, per floating resident of the
 * register: with the late registrations they bring today's 居住登记率 near the 95 % the field
 * reports aim at (issue 15.7).
 */
export const UNREGISTERED_PER_FLOATING = 0.045;

/**
 * Households building by building from one random stream, so the city is the same however the
 * buildings are handed over (all at once for the demo, a grid at a time at city scale).
 */
export class PeoplePlanner {
  private readonly rng: Rng;
  private readonly factory: PersonFactory;

  constructor(
    private readonly seed: number,
    today: string,
    firstId: number,
    private readonly register: CityRegister,
  ) {
    this.rng = rngFor(seed, 'people');
    this.factory = new PersonFactory(this.rng, today, firstId);
  }

  /**
   * Floating people who live in the district but were registered nowhere: persons without a
   * residency, whom a collector's visit finds (server/rentals/demo.ts). Drawn after everyone
   * else, from their own stream and with ids after the last, so no other row changes.
   */
  unregistered(floatingResidents: number): Person[] {
    const factory = this.factory.branch(rngFor(this.seed, 'unregistered people'));
    return Array.from({ length: Math.round(floatingResidents * UNREGISTERED_PER_FLOATING) }, () => factory.floatingNewcomer());
  }

  /** Each unit's current household, then (sometimes) one that has since left; members in id order. */
  householdsOf(site: Site): Household[] {
    const { rng, factory } = this;
    const households: Household[] = [];
    for (let unit = site.firstUnit; unit < site.firstUnit + site.unitCount; unit += 1) {
      const use = this.register.unitUse(unit);
      const kind = currentKind(rng, site, use);
      if (kind) households.push({ kind, unit, site, current: true, members: factory.household(kind, site, false) });
      if (site.status === 'active' && rng.chance(DEPARTED_CHANCE[use])) {
        const departed = departedKind(rng, site, use);
        households.push({ kind: departed, unit, site, current: false, members: factory.household(departed, site, true) });
      }
    }
    return households;
  }
}

function currentKind(rng: Rng, site: Site, use: UnitUse): HouseholdKind | undefined {
  if (site.status === 'demolished') return undefined;
  if (use === 'dormitory') return 'dorm';
  if (use === 'self_occupied') return rng.choose(SELF_OCCUPIED);
  if (use === 'rented') return rng.choose(site.kind === 'village' || site.kind === 'shop' ? RENTED_VILLAGE : RENTED_FLAT);
  return undefined;
}

function departedKind(rng: Rng, site: Site, use: UnitUse): HouseholdKind {
  if (use === 'dormitory' || site.kind === 'dorm') return 'dorm';
  if (use === 'self_occupied') return rng.choose(SELF_OCCUPIED);
  return rng.choose(site.kind === 'tower' || site.kind === 'mixed' ? RENTED_FLAT : RENTED_VILLAGE);
}

interface MemberSpec {
  category: PersonCategory;
  sex: 'M' | 'F';
  age: number;
  origin: Origin;
  floatingType: FloatingType | null;
  employer: string | null;
  hukouAddress: string | null;
  surname?: string;
  nationality?: string;
}

class PersonFactory {
  private readonly identities: IdentityFactory;
  private readonly todayDays: number;
  private nextId: number;

  constructor(
    private readonly rng: Rng,
    private readonly today: string,
    firstId: number,
    identities?: IdentityFactory,
  ) {
    this.identities = identities ?? new IdentityFactory(rng);
    this.todayDays = toDays(today);
    this.nextId = firstId;
  }

  /** A factory drawing from `rng` that continues this one's ids and never repeats its ID numbers. */
  branch(rng: Rng): PersonFactory {
    return new PersonFactory(rng, this.today, this.nextId, this.identities.drawingFrom(rng));
  }

  /** A floating adult on their own, as most people who skip registration are. */
  floatingNewcomer(): Person {
    const rng = this.rng;
    return this.person(this.floatingAdult(pickOrigin(rng), rng.chance(0.6) ? 'M' : 'F', rng.normalInt(27, 6, 18, 50), 'single'));
  }

  household(kind: HouseholdKind, building: Site, departed: boolean): Person[] {
    const specs = this.specs(kind, building, departed);
    return specs.map((spec) => this.person(spec));
  }

  private specs(kind: HouseholdKind, building: Site, departed: boolean): MemberSpec[] {
    const rng = this.rng;
    const minChildAge = departed ? 3 : 0;
    switch (kind) {
      case 'local_family':
        return this.localFamily(building, minChildAge);
      case 'floating_single': {
        const origin = pickOrigin(rng);
        return [this.floatingAdult(origin, rng.chance(0.6) ? 'M' : 'F', rng.normalInt(29, 7, 18, 55), 'single')];
      }
      case 'floating_shared': {
        const count = rng.choose([
          [2, 0.65],
          [3, 0.28],
          [4, 0.07],
        ] as const);
        const sex = rng.chance(0.55) ? 'M' : 'F';
        const home = pickOrigin(rng);
        return Array.from({ length: count }, () => {
          const origin = rng.chance(0.6) ? home : pickOrigin(rng);
          return this.floatingAdult(origin, rng.chance(0.8) ? sex : sex === 'M' ? 'F' : 'M', rng.normalInt(26, 5, 18, 45), 'shared');
        });
      }
      case 'floating_family':
        return this.floatingFamily(minChildAge);
      case 'dorm': {
        // Rooms of 2–6 workers; those who left went one to three at a time.
        const count = departed
          ? rng.int(1, 3)
          : rng.choose([
              [2, 2],
              [3, 3],
              [4, 3],
              [6, 2],
            ] as const);
        const sex = rng.chance(0.55) ? 'M' : 'F';
        return Array.from({ length: count }, () => ({
          ...this.floatingAdult(pickOrigin(rng), sex, rng.normalInt(25, 6, 18, 48), 'dormitory'),
          employer: building.employer,
        }));
      }
      case 'overseas':
        return this.foreigners();
    }
  }

  private localFamily(building: Site, minChildAge: number): MemberSpec[] {
    const rng = this.rng;
    const division = pickShenzhenDivision(rng);
    const origin: Origin = { ...LOCAL_ORIGIN, division };
    const hukou = `${CITY_PREFIX}龙岗区${building.address}`;
    const surname = pickSurname(rng);
    const headAge = rng.normalInt(42, 11, 25, 75);
    const headSex = rng.chance(0.75) ? 'M' : 'F';
    const local = (sex: 'M' | 'F', age: number, extra: Partial<MemberSpec> = {}): MemberSpec => ({
      category: 'registered',
      sex,
      age,
      origin,
      floatingType: null,
      employer: age >= 18 && age < 60 && rng.chance(0.6) ? businessName(rng) : null,
      hukouAddress: hukou,
      ...extra,
    });
    const members = [local(headSex, headAge, { surname })];
    if (rng.chance(0.85)) members.push(local(headSex === 'M' ? 'F' : 'M', Math.max(20, headAge + rng.int(-5, 4))));
    if (headAge < 55) {
      const children = rng.choose([
        [0, 0.25],
        [1, 0.45],
        [2, 0.3],
      ] as const);
      const oldest = Math.min(17, headAge - 22);
      for (let index = 0; index < children && oldest >= minChildAge; index += 1) {
        members.push(local(rng.chance(0.52) ? 'M' : 'F', rng.int(minChildAge, oldest), { surname, employer: null }));
      }
    } else if (rng.chance(0.3)) {
      members.push(local(rng.chance(0.5) ? 'M' : 'F', rng.int(18, Math.min(32, headAge - 22)), { surname }));
    }
    if (headAge < 58 && rng.chance(0.2)) {
      const elders = rng.chance(0.6) ? 1 : 2;
      const lodging = rng.chance(0.6);
      const elderOrigin = lodging ? pickOrigin(rng) : origin;
      for (let index = 0; index < elders; index += 1) {
        const sex = elders === 2 ? (index === 0 ? 'M' : 'F') : rng.chance(0.4) ? 'M' : 'F';
        const age = Math.min(92, headAge + rng.int(22, 32));
        members.push(lodging ? this.lodger(elderOrigin, sex, age) : local(sex, age, { employer: null }));
      }
    }
    if (rng.chance(0.04)) members.push(this.lodger(pickOrigin(rng), rng.chance(0.5) ? 'M' : 'F', rng.int(16, 26)));
    return members;
  }

  private lodger(origin: Origin, sex: 'M' | 'F', age: number): MemberSpec {
    return { category: 'lodging', sex, age, origin, floatingType: null, employer: null, hukouAddress: ruralAddress(this.rng, origin.division) };
  }

  private floatingAdult(origin: Origin, sex: 'M' | 'F', age: number, floatingType: FloatingType): MemberSpec {
    const employer = this.rng.chance(0.72) ? businessName(this.rng) : null;
    return { category: 'floating', sex, age, origin, floatingType, employer, hukouAddress: ruralAddress(this.rng, origin.division) };
  }

  private floatingFamily(minChildAge: number): MemberSpec[] {
    const rng = this.rng;
    const origin = pickOrigin(rng);
    const hukou = ruralAddress(rng, origin.division);
    const surname = pickSurname(rng);
    const headAge = rng.normalInt(34, 7, 22, 55);
    const base = { category: 'floating' as const, origin, floatingType: 'family' as const, hukouAddress: hukou };
    const members: MemberSpec[] = [{ ...base, sex: 'M', age: headAge, surname, employer: rng.chance(0.8) ? businessName(rng) : null }];
    if (rng.chance(0.9)) members.push({ ...base, sex: 'F', age: Math.max(20, headAge + rng.int(-5, 2)), employer: rng.chance(0.6) ? businessName(rng) : null });
    const children = rng.choose([
      [0, 0.35],
      [1, 0.4],
      [2, 0.22],
      [3, 0.03],
    ] as const);
    const oldest = Math.min(15, headAge - 21);
    for (let index = 0; index < children && oldest >= minChildAge; index += 1) {
      members.push({ ...base, sex: rng.chance(0.53) ? 'M' : 'F', age: rng.int(minChildAge, oldest), surname, employer: null });
    }
    return members;
  }

  private foreigners(): MemberSpec[] {
    const rng = this.rng;
    const nationality = rng.choose(NATIONALITIES);
    const base = { category: 'overseas' as const, origin: LOCAL_ORIGIN, floatingType: null, hukouAddress: null, nationality };
    const age = rng.normalInt(36, 9, 22, 65);
    const head: MemberSpec = { ...base, sex: rng.chance(0.65) ? 'M' : 'F', age, employer: rng.chance(0.7) ? businessName(rng) : null };
    if (!rng.chance(0.3)) return [head];
    return [head, { ...base, sex: head.sex === 'M' ? 'F' : 'M', age: Math.max(20, age + rng.int(-6, 4)), employer: null }];
  }

  private person(spec: MemberSpec): Person {
    const rng = this.rng;
    const birthDate = fromDays(this.todayDays - Math.floor((spec.age + rng.float(0.01, 0.99)) * 365.2425));
    const overseas = spec.category === 'overseas';
    const nationality = spec.nationality ?? 'CHN';
    const person: Person = {
      id: this.nextId,
      idType: overseas ? 'passport' : 'id_card',
      idNumber: overseas ? this.identities.passportNumber(nationality) : this.identities.idNumber(idDivision(spec), birthDate, spec.sex),
      nationality,
      name: overseas ? foreignName(rng, nationality) : chineseName(rng, spec.sex, spec.surname),
      sex: spec.sex,
      birthDate,
      ethnicity: overseas ? null : ethnicityFor(rng, spec.origin),
      hukouAddress: spec.hukouAddress,
      phone: spec.age >= 12 && rng.chance(0.96) ? mobilePhone(rng) : null,
      category: spec.category,
      floatingType: spec.floatingType,
      employer: spec.employer,
    };
    this.nextId += 1;
    return person;
  }
}

/** Children of local families are born in the district; everyone else carries their origin's code. */
function idDivision(spec: MemberSpec): string {
  if (spec.category === 'registered' && spec.age < 18) return '440307';
  return spec.origin.division.code;
}
