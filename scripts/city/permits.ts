/**
 * Residence permits (居住证) for floating adults: issued some weeks after arrival for 1, 2 or 3
 * years, renewed within 30 days before expiry by many who stay, now and then revoked, and
 * handed back by some who leave. Whatever is not renewed simply expires.
 */
import { ageOn } from '../../server/domain/id-number.ts';
import { addYears, fromDays, toDays } from './dates.ts';
import type { PersonSpan } from './events.ts';
import { rngFor, type Rng } from './random.ts';
import type { Permit, Person } from './types.ts';

const YEARS = [[1, 0.55], [2, 0.25], [3, 0.2]] as const;

export function planPermits(seed: number, persons: Person[], spans: Map<number, PersonSpan>, today: string, firstId: number, firstNumber: number): Permit[] {
  const rng = rngFor(seed, 'permits');
  const state = { permits: [] as Permit[], nextId: firstId, today: toDays(today) };
  for (const person of persons) {
    if (person.category !== 'floating') continue;
    const span = spans.get(person.id)!;
    if (!rng.chance(span.lastOut === null ? 0.74 : 0.5)) continue;
    const issued = span.firstIn + rng.int(20, 240);
    if (issued > state.today || (span.lastOut !== null && issued > span.lastOut)) continue;
    if (ageOn(person.birthDate, fromDays(issued)) < 16) continue;
    issueChain(rng, state, person, span, issued);
  }
  numberPermits(state.permits, firstNumber);
  return state.permits;
}

/** Permit numbers as the application prints them (JZZ + 10 digits), in order of issue. */
function numberPermits(permits: Permit[], firstNumber: number): void {
  const byIssue = [...permits].sort((a, b) => (a.issuedOn < b.issuedOn ? -1 : a.issuedOn > b.issuedOn ? 1 : a.id - b.id));
  byIssue.forEach((permit, index) => (permit.permitNo = `JZZ${String(firstNumber + index).padStart(10, '0')}`));
}

interface State {
  permits: Permit[];
  nextId: number;
  today: number;
}

function issueChain(rng: Rng, state: State, person: Person, span: PersonSpan, firstIssue: number): void {
  let issued = firstIssue;
  let previous: Permit | null = null;
  for (;;) {
    const permit = issue(rng, state, person, issued, previous);
    const expires = toDays(permit.expiresOn);
    const until = Math.min(expires - 1, state.today);
    if (rng.chance(0.03) && until > issued) return revoke(permit, rng.int(issued + 1, until));
    if (span.lastOut !== null && span.lastOut < expires) {
      const handedBack = span.lastOut + rng.int(0, 20);
      if (rng.chance(0.3) && handedBack <= until) revoke(permit, handedBack);
      return;
    }
    const renewal = expires - rng.int(0, 30);
    if (renewal > state.today || !rng.chance(0.65)) return;
    permit.status = 'renewed';
    previous = permit;
    issued = renewal;
  }
}

function issue(rng: Rng, state: State, person: Person, issued: number, previous: Permit | null): Permit {
  const years = rng.choose(YEARS);
  const issuedOn = fromDays(issued);
  const permit: Permit = {
    id: state.nextId,
    personId: person.id,
    permitNo: '',
    issuedOn,
    expiresOn: addYears(issuedOn, years),
    years,
    status: 'valid',
    revokedOn: null,
    renewedFrom: previous?.id ?? null,
  };
  state.nextId += 1;
  state.permits.push(permit);
  return permit;
}

function revoke(permit: Permit, day: number): void {
  permit.status = 'revoked';
  permit.revokedOn = fromDays(day);
}
