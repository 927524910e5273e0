/** GB 11643 ID numbers, passport numbers and the registries that keep them unique. */
import { withCheckCharacter } from '../../domain/id-number.ts';
import { toDays } from './dates.ts';
import type { Rng } from './random.ts';

export class IdentityFactory {
  constructor(
    private readonly rng: Rng,
    private readonly idCards = new IdCardRegistry(),
    private readonly passports = new Set<string>(),
  ) {}

  /** Draws from `rng`, sharing the numbers handed out so far (and from now on) with this factory. */
  drawingFrom(rng: Rng): IdentityFactory {
    return new IdentityFactory(rng, this.idCards, this.passports);
  }

  /** A valid, unused 18-character ID: division + birth date + sequence (odd = male) + check. */
  idNumber(divisionCode: string, birthDate: string, sex: 'M' | 'F'): string {
    const birth = birthDate.replaceAll('-', '');
    const bucket = this.idCards.bucket(divisionCode, birthDate);
    for (let attempt = 0; attempt < 500; attempt += 1) {
      let sequence = this.rng.int(0, 499) * 2 + (sex === 'M' ? 1 : 0);
      if (attempt > 100) sequence = (attempt * 2 + (sex === 'M' ? 1 : 0)) % 1000;
      if (this.idCards.claim(bucket, sequence)) return withCheckCharacter(divisionCode + birth + String(sequence).padStart(3, '0'));
    }
    throw new Error(`no free ID sequence for ${divisionCode} ${birthDate}`);
  }

  /** A passport number in the usual shape for the nationality, e.g. M12345678 (KOR). */
  passportNumber(nationality: string): string {
    for (;;) {
      const number = passportShape(this.rng, nationality);
      if (!this.passports.has(number)) {
        this.passports.add(number);
        return number;
      }
    }
  }
}

const SEQUENCES = 1000;
const BUCKET_BYTES = SEQUENCES / 8;
/** Day numbers are offset by this to stay positive (covers 1790 to 2149). */
const DAY_OFFSET = 65_536;

/**
 * The ID numbers handed out, as one bit per (division, birth date, sequence): the check character
 * follows from the rest, so these three decide whether a number is taken. A city of 14 million
 * fits in about 1.5 million buckets of 125 bytes; a Set of the strings would need ten times that
 * and outgrow the 16.7 million entries a Set can hold. Buckets are found through one array per
 * division indexed by birth day (a Map of millions of keys is several times slower).
 */
class IdCardRegistry {
  private readonly divisions = new Map<string, Int32Array>();
  private buckets = 0;
  private bits = new Uint8Array(BUCKET_BYTES * 1024);

  /** The bucket of one division and birth date, opened on first use. */
  bucket(divisionCode: string, birthDate: string): number {
    let byDay = this.divisions.get(divisionCode);
    if (!byDay) this.divisions.set(divisionCode, (byDay = new Int32Array(2 * DAY_OFFSET)));
    const day = toDays(birthDate) + DAY_OFFSET;
    // Stored as bucket + 1, so that 0 means "not opened yet".
    if (byDay[day] === 0) {
      byDay[day] = ++this.buckets;
      if (this.buckets * BUCKET_BYTES > this.bits.length) this.grow();
    }
    return byDay[day]! - 1;
  }

  /** Takes the sequence number in the bucket; false when it was taken already. */
  claim(bucket: number, sequence: number): boolean {
    const byte = bucket * BUCKET_BYTES + (sequence >> 3);
    const mask = 1 << (sequence & 7);
    if (this.bits[byte]! & mask) return false;
    this.bits[byte]! |= mask;
    return true;
  }

  private grow(): void {
    const larger = new Uint8Array(this.bits.length * 2);
    larger.set(this.bits);
    this.bits = larger;
  }
}

function passportShape(rng: Rng, nationality: string): string {
  switch (nationality) {
    case 'KOR':
      return 'M' + rng.digits(8);
    case 'JPN':
      return rng.pick(['TK', 'TR', 'MU', 'TZ']) + rng.digits(7);
    case 'USA':
    case 'GBR':
      return String(rng.int(1, 9)) + rng.digits(8);
    case 'VNM':
      return rng.pick(['B', 'C']) + rng.digits(7);
    case 'IND':
      return rng.pick(['J', 'K', 'L', 'M', 'N', 'P']) + rng.digits(7);
    case 'MYS':
      return rng.pick(['A', 'H']) + rng.digits(8);
    case 'SGP':
      return 'E' + rng.digits(7) + rng.pick(['A', 'B', 'C', 'D', 'F', 'G']);
    case 'PHL':
      return 'P' + rng.digits(7) + rng.pick(['A', 'B']);
    case 'CAN':
      return rng.pick(['AB', 'GA', 'HK', 'QC']) + rng.digits(6);
    case 'RUS':
      return '7' + rng.digits(8);
    default:
      return rng.pick(['C', 'E', 'G', 'X']) + rng.digits(8);
  }
}
