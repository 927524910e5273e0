/** GB 11643 ID numbers, passport numbers and the set that keeps them unique. */
import { withCheckCharacter } from '../../server/domain/id-number.ts';
import type { Rng } from './random.ts';

export class IdentityFactory {
  private readonly used = new Set<string>();

  constructor(private readonly rng: Rng) {}

  /** A valid, unused 18-character ID: division + birth date + sequence (odd = male) + check. */
  idNumber(divisionCode: string, birthDate: string, sex: 'M' | 'F'): string {
    const birth = birthDate.replaceAll('-', '');
    for (let attempt = 0; attempt < 500; attempt += 1) {
      let sequence = this.rng.int(0, 499) * 2 + (sex === 'M' ? 1 : 0);
      if (attempt > 100) sequence = (attempt * 2 + (sex === 'M' ? 1 : 0)) % 1000;
      const id = withCheckCharacter(divisionCode + birth + String(sequence).padStart(3, '0'));
      if (!this.used.has(id)) {
        this.used.add(id);
        return id;
      }
    }
    throw new Error(`no free ID sequence for ${divisionCode} ${birthDate}`);
  }

  /** A passport number in the usual shape for the nationality, e.g. M12345678 (KOR). */
  passportNumber(nationality: string): string {
    for (;;) {
      const number = passportShape(this.rng, nationality);
      if (!this.used.has(number)) {
        this.used.add(number);
        return number;
      }
    }
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
