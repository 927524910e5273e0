/** In-memory rows of the synthetic city, built first and then written in bulk. */
import type { BuildingUse, FloatingType, ManagementMode, PersonCategory, UnitUse } from '../../db/schema.ts';
import type { LonLat, XY } from './geometry.ts';

/** The character of a base grid, from spatially coherent noise. */
export type GridKind = 'urban_village' | 'gated' | 'factory' | 'shop_house' | 'mixed';

/** Kinds of building the generator knows how to fill. */
export type BuildingKind = 'village' | 'tower' | 'dorm' | 'shop' | 'mixed';

export interface AdminArea {
  code: string;
  level: 'district' | 'street' | 'community';
  parentCode: string | null;
  name: string;
}

export interface Street extends AdminArea {
  level: 'street';
  shortName: string;
}

export interface Community extends AdminArea {
  level: 'community';
  shortName: string;
  streetName: string;
  /** Roads and an estate name used in addresses. */
  roads: string[];
}

export interface Grid {
  code: string;
  communityCode: string;
  name: string;
  /** Lattice cell indices. */
  i: number;
  j: number;
  kind: GridKind;
  /** 0..1: how well buildings here are secured (access control, video, signed letters). */
  care: number;
  ring: LonLat[];
  wkt: string;
  center: XY;
}

export interface Unit {
  code: string;
  buildingCode: string;
  floor: number;
  room: string;
  areaM2: number;
  use: UnitUse;
  rentalRegistered: boolean;
  landlordName: string | null;
}

export interface Building {
  code: string;
  gridCode: string;
  kind: BuildingKind;
  address: string;
  floors: number;
  use: BuildingUse;
  mode: ManagementMode;
  hasAccessControl: boolean;
  hasVideo: boolean;
  letterSigned: boolean;
  landlordName: string | null;
  landlordPhone: string | null;
  status: 'active' | 'demolished';
  point: LonLat;
  footprintWkt: string;
  /** Metres, for offsets around the building. */
  position: XY;
  /** The company whose workers live here (dormitories). */
  employer: string | null;
  units: Unit[];
}

export interface Person {
  id: number;
  idType: 'id_card' | 'passport';
  idNumber: string;
  nationality: string;
  name: string;
  sex: 'M' | 'F';
  birthDate: string;
  ethnicity: string | null;
  hukouAddress: string | null;
  phone: string | null;
  category: PersonCategory;
  floatingType: FloatingType | null;
  employer: string | null;
}

export interface Residency {
  personId: number;
  unitCode: string;
  movedIn: string;
  movedOut: string | null;
  registeredAt: string;
  deregisteredAt: string | null;
  /** Under 16 on the day of moving in: registered with the household, no duty of their own. */
  registrationExempt: boolean;
}

export interface Permit {
  id: number;
  personId: number;
  permitNo: string;
  issuedOn: string;
  expiresOn: string;
  years: number;
  status: 'valid' | 'renewed' | 'revoked';
  revokedOn: string | null;
  renewedFrom: number | null;
}

export interface CaseRow {
  caseNo: string;
  kind: 'criminal' | 'public_order';
  category: string;
  occurredAt: string;
  point: LonLat;
  gridCode: string;
  buildingCode: string | null;
  unitCode: string | null;
}

export interface Collector {
  id: number;
  name: string;
  phone: string;
  employment: 'full_time' | 'part_time';
  employer: string | null;
  active: boolean;
}

export interface Assignment {
  collectorId: number;
  gridCode: string;
  assignedOn: string;
  endedOn: string | null;
}

/**
 * What the later steps (people, residencies, cases, collectors) need of a building once its
 * rows are written: footprints, landlords and unit rows are dropped, so that a city of 670,000
 * buildings and 9 million units stays in memory as a few hundred megabytes.
 */
export interface Site {
  code: string;
  gridCode: string;
  kind: BuildingKind;
  status: 'active' | 'demolished';
  address: string;
  employer: string | null;
  /** Metres, for offsets around the building. */
  position: XY;
  /** Its units are the register's units firstUnit … firstUnit + unitCount - 1, in code order. */
  firstUnit: number;
  unitCount: number;
  /** Active, with at least one rented unit: a rental house (出租屋). */
  isRentalHouse: boolean;
  /** Its let units while active: each is a rental house in the collector need (sql/0014_rental_houses.sql). */
  rentedUnits: number;
}
