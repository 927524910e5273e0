/**
 * The buildings and units of the city as later steps see them: a Site per building and, per
 * unit, only its use and building, in typed arrays. A unit is referred to by its number in
 * the register (its UnitRef); its 25-digit code is rebuilt from the building's when needed.
 */
import { formatCodePart } from '../../domain/codes.ts';
import { UNIT_USES, type UnitUse } from '../../db/schema.ts';
import type { Building, Site } from './types.ts';

export type UnitRef = number;

export class CityRegister {
  readonly sites: Site[] = [];
  private useIndex = new Uint8Array(1 << 16);
  private siteIndex = new Int32Array(1 << 16);
  private units = 0;

  get unitCount(): number {
    return this.units;
  }

  add(building: Building): Site {
    const site: Site = {
      code: building.code,
      gridCode: building.gridCode,
      kind: building.kind,
      status: building.status,
      address: building.address,
      employer: building.employer,
      position: building.position,
      firstUnit: this.units,
      unitCount: building.units.length,
      isRentalHouse: building.status === 'active' && building.units.some((unit) => unit.use === 'rented'),
      rentedUnits: building.status === 'active' ? building.units.filter((unit) => unit.use === 'rented').length : 0,
    };
    this.reserve(this.units + building.units.length);
    for (const unit of building.units) {
      this.useIndex[this.units] = UNIT_USES.indexOf(unit.use);
      this.siteIndex[this.units] = this.sites.length;
      this.units += 1;
    }
    this.sites.push(site);
    return site;
  }

  unitUse(unit: UnitRef): UnitUse {
    return UNIT_USES[this.useIndex[unit]!]!;
  }

  siteOf(unit: UnitRef): Site {
    return this.sites[this.siteIndex[unit]!]!;
  }

  /** Building code + the unit's 6-digit number in its building (units are numbered from 1 in order). */
  unitCode(unit: UnitRef): string {
    const site = this.siteOf(unit);
    return site.code + formatCodePart('unit', unit - site.firstUnit + 1);
  }

  private reserve(size: number): void {
    if (size <= this.useIndex.length) return;
    const capacity = Math.max(size, this.useIndex.length * 2);
    const uses = new Uint8Array(capacity);
    uses.set(this.useIndex);
    const sites = new Int32Array(capacity);
    sites.set(this.siteIndex);
    [this.useIndex, this.siteIndex] = [uses, sites];
  }
}
