/** Kysely types of the tables this feature owns (sql/0003_heatmaps.sql). Composed into DB in server/db/schema.ts. */

/** Residents counted on one day (or the change on that day), by what the heatmaps need. */
export interface PopulationFigures {
  registered: number;
  lodging: number;
  floating: number;
  overseas: number;
  /** Floating stays whose registration date is on or before the day. */
  floating_registered: number;
  /** Floating stays whose person holds a valid residence permit that day. */
  floating_permitted: number;
  /** Units of active buildings somebody lived in that day (sql/0028_occupied_units.sql). */
  occupied_units: number;
}

export interface GridPopulationChangesTable extends PopulationFigures {
  grid_code: string;
  day: string;
}

export interface GridPopulationDailyTable extends PopulationFigures {
  day: string;
  grid_code: string;
}

export interface GridPopulationWindowTable {
  singleton: boolean;
  first_day: string;
  last_day: string;
}

export interface GridCaseDailyTable {
  day: string;
  grid_code: string;
  kind: 'criminal' | 'public_order';
  category: string;
  cases: number;
  in_rental: number;
}

export interface GridUnitStatsTable {
  grid_code: string;
  buildings: number;
  units: number;
  rented_units: number;
  registered_rental_units: number;
  /** Let dwellings (出租房屋): Σ let_households of the rented units (sql/0014_rental_houses.sql). */
  rental_houses: number;
  rental_buildings: number;
  signed_rental_buildings: number;
}

export interface HeatmapTables {
  grid_population_changes: GridPopulationChangesTable;
  grid_population_daily: GridPopulationDailyTable;
  grid_population_window: GridPopulationWindowTable;
  grid_case_daily: GridCaseDailyTable;
  grid_unit_stats: GridUnitStatsTable;
}
