/** Shapes of the JSON the renwu API returns, as the web app relies on them. */
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';

export type Role = 'leader' | 'planner' | 'police' | 'collector' | 'admin' | 'auditor';

export interface SessionUser {
  username: string;
  displayName: string;
  role: Role;
  /** Area codes (district, street, community or grid) this user may see. */
  jurisdiction: string[];
}

export interface Session {
  user: SessionUser;
  csrfToken: string;
}

export interface Health {
  status: 'ok';
  database: { engine: 'pglite' | 'postgres'; postgis: string };
  counts: { buildings: number; units: number; persons: number };
}

export type AreaLevel = 'district' | 'street' | 'community' | 'grid';
export const areaLevels: readonly AreaLevel[] = ['district', 'street', 'community', 'grid'];

export interface AreaProperties {
  code: string;
  name: string;
  level: AreaLevel;
  parentCode: string | null;
}

export type AreaFeature = Feature<Polygon | MultiPolygon, AreaProperties>;
export type AreaCollection = FeatureCollection<Polygon | MultiPolygon, AreaProperties>;

export type BuildingUse =
  | 'residential'
  | 'mixed'
  | 'factory_dormitory'
  | 'shop_house'
  | 'urban_village';
export const buildingUses: readonly BuildingUse[] = [
  'residential',
  'mixed',
  'factory_dormitory',
  'shop_house',
  'urban_village',
];

export type ManagementMode = 'hotel' | 'property' | 'employer' | 'patrol' | 'gated';
export type BuildingStatus = 'active' | 'demolished';

export interface BuildingFootprintProperties {
  code: string;
  use: BuildingUse;
  floors: number;
  status: BuildingStatus;
  address: string;
}

export type BuildingFootprintCollection = FeatureCollection<
  Polygon,
  BuildingFootprintProperties
> & {
  /** True when the server hit its cap and left buildings out of this bbox. */
  truncated: boolean;
};

export interface Building {
  code: string;
  gridCode: string;
  address: string;
  floors: number;
  use: BuildingUse;
  managementMode: ManagementMode;
  status: BuildingStatus;
  hasAccessControl: boolean;
  hasVideo: boolean;
  responsibilityLetterSigned: boolean;
  point: [number, number];
  unitCount: number;
}

/** [minLon, minLat, maxLon, maxLat] */
export type BBox = [number, number, number, number];
