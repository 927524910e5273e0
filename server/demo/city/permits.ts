/**
 * Residence permits (居住证) for floating adults: issued some weeks after arrival for 1, 2 or 3
 * years, renewed within 30 days before expiry by many who stay, now and then revoked, and
 * handed back by some who leave. Whatever is not renewed simply expires.
 */
import { ageOn } from '../../domain/id-number.ts';
import { addYears, fromDays, toDays } from './dates.ts';
import type { PersonSpan } from './events.ts';
import { rngFor, type Rng } from './random.ts';
import type { Permit, Person } from './types.ts';

const YEARS = [
  [1, 0.55],
  [2, 0.25],
  [3, 0.2],
] as const;
const STATUSES: readonly Permit['status'][] = ['valid', 'renewed', 'revoked'];

/**
 * Permits person by person from one random stream. Their numbers (JZZ + 10 digits, like the
 * application's) run in order of issue, which is known only once everyone is planned: the
 * permits are kept in compact columns until then and numbered by counting them per issue day.
 */
export class PermitPlanner {
  private readonly rng: Rng;
  private readonly today: number;
  private readonly kept = new PermitColumns();

  constructor(
    seed: number,
    today: string,
    private readonly firstId: number,
  ) {
    this.rng = rngFor(seed, 'permits');
    this.today = toDays(today);
  }

  get count(): number {
    return this.kept.length;
  }

  /** Plans the permits of these people (in id order, each with their span in the district). */
  add(persons: readonly Person[], spans: ReadonlyMap<number, PersonSpan>): void {
    const { rng } = this;
    for (const person of persons) {
      if (person.category !== 'floating') continue;
      const span = spans.get(person.id)!;
      if (!rng.chance(span.lastOut === null ? 0.74 : 0.5)) continue;
      const issued = span.firstIn + rng.int(20, 240);
      if (issued > this.today || (span.lastOut !== null && issued > span.lastOut)) continue;
      if (ageOn(person.birthDate, fromDays(issued)) < 16) continue;
      for (const permit of this.issueChain(person, span, issued)) this.kept.push(permit);
    }
  }

  /** Every planned permit in id order, numbered in order of issue from `firstNumber`, in batches. */
  *numbered(firstNumber: number, batchSize = 10_000): Generator<Permit[]> {
    const { kept } = this;
    // Permits issued per day, then turned into the first number of each day.
    const startOfDay = new Map<number, number>();
    for (let index = 0; index < kept.length; index += 1) startOfDay.set(kept.issued(index), (startOfDay.get(kept.issued(index)) ?? 0) + 1);
    let next = firstNumber;
    for (const day of [...startOfDay.keys()].sort((a, b) => a - b)) {
      const issuedThatDay = startOfDay.get(day)!;
      startOfDay.set(day, next);
      next += issuedThatDay;
    }
    // Within a day, permits are numbered in id order: the order they are read back here.
    for (let start = 0; start < kept.length; start += batchSize) {
      const batch: Permit[] = [];
      for (let index = start; index < Math.min(kept.length, start + batchSize); index += 1) {
        const number = startOfDay.get(kept.issued(index))!;
        startOfDay.set(kept.issued(index), number + 1);
        batch.push(kept.permit(index, this.firstId + index, `JZZ${String(number).padStart(10, '0')}`));
      }
      yield batch;
    }
  }

  private issueChain(person: Person, span: PersonSpan, firstIssue: number): Permit[] {
    const { rng } = this;
    const chain: Permit[] = [];
    let issued = firstIssue;
    for (;;) {
      const permit = this.issue(person, issued, chain.at(-1) ?? null, chain.length);
      chain.push(permit);
      const expires = toDays(permit.expiresOn);
      const until = Math.min(expires - 1, this.today);
      if (rng.chance(0.03) && until > issued) return revoke(chain, permit, rng.int(issued + 1, until));
      if (span.lastOut !== null && span.lastOut < expires) {
        const handedBack = span.lastOut + rng.int(0, 20);
        if (rng.chance(0.3) && handedBack <= until) revoke(chain, permit, handedBack);
        return chain;
      }
      const renewal = expires - rng.int(0, 30);
      if (renewal > this.today || !rng.chance(0.65)) return chain;
      permit.status = 'renewed';
      issued = renewal;
    }
  }

  private issue(person: Person, issued: number, previous: Permit | null, position: number): Permit {
    const years = this.rng.choose(YEARS);
    const issuedOn = fromDays(issued);
    return {
      id: this.firstId + this.kept.length + position,
      personId: person.id,
      permitNo: '',
      issuedOn,
      expiresOn: addYears(issuedOn, years),
      years,
      status: 'valid',
      revokedOn: null,
      renewedFrom: previous?.id ?? null,
    };
  }
}

function revoke(chain: Permit[], permit: Permit, day: number): Permit[] {
  permit.status = 'revoked';
  permit.revokedOn = fromDays(day);
  return chain;
}

const NO_DAY = -2_147_483_648;

/**
 * Planned permits, one typed array per field (13 bytes a permit). A renewal is always the permit
 * right after the one it renews, so renewed_from is a flag; the expiry follows from issue + years.
 */
class PermitColumns {
  length = 0;
  private personIds = new Int32Array(1024);
  private issuedOn = new Int32Array(1024);
  private revokedOn = new Int32Array(1024);
  /** years (bits 0–3), status (bits 4–5), renews the previous permit (bit 6). */
  private packed = new Uint8Array(1024);

  push(permit: Permit): void {
    if (this.length === this.packed.length) this.grow();
    const renews = permit.renewedFrom !== null;
    if (renews && permit.renewedFrom !== permit.id - 1) throw new Error(`permit ${permit.id} renews ${permit.renewedFrom}, not the permit before it`);
    this.personIds[this.length] = permit.personId;
    this.issuedOn[this.length] = toDays(permit.issuedOn);
    this.revokedOn[this.length] = permit.revokedOn === null ? NO_DAY : toDays(permit.revokedOn);
    this.packed[this.length] = permit.years | (STATUSES.indexOf(permit.status) << 4) | (renews ? 64 : 0);
    this.length += 1;
  }

  issued(index: number): number {
    return this.issuedOn[index]!;
  }

  permit(index: number, id: number, permitNo: string): Permit {
    const packed = this.packed[index]!;
    const years = packed & 15;
    const issuedOn = fromDays(this.issuedOn[index]!);
    const revoked = this.revokedOn[index]!;
    return {
      id,
      personId: this.personIds[index]!,
      permitNo,
      issuedOn,
      expiresOn: addYears(issuedOn, years),
      years,
      status: STATUSES[(packed >> 4) & 3]!,
      revokedOn: revoked === NO_DAY ? null : fromDays(revoked),
      renewedFrom: packed & 64 ? id - 1 : null,
    };
  }

  private grow(): void {
    const capacity = this.packed.length * 2;
    const widen = <T extends Int32Array | Uint8Array>(old: T, make: (size: number) => T): T => {
      const larger = make(capacity);
      larger.set(old);
      return larger;
    };
    this.personIds = widen(this.personIds, (size) => new Int32Array(size));
    this.issuedOn = widen(this.issuedOn, (size) => new Int32Array(size));
    this.revokedOn = widen(this.revokedOn, (size) => new Int32Array(size));
    this.packed = widen(this.packed, (size) => new Uint8Array(size));
  }
}
