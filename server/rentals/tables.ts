import type { ColumnType, Generated } from 'kysely';
import type { PersonFlag, RentalFactor, RentalTier, ScoreExplanation } from '../domain/rental-scoring.ts';

/** Kysely types of the tables sql/0005_rentals.sql creates. Composed into DB in server/db/schema.ts. */
type DateText = string; // 'YYYY-MM-DD'
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface PersonFlagsTable {
  id: Generated<number>;
  person_id: number;
  flag: PersonFlag;
  from_date: DateText;
  to_date: DateText | null;
  created_by: number | null;
  created_at: Timestamp;
}

export interface RentalRuleVersionsTable {
  version: number;
  note: string | null;
  created_by: number | null;
  created_at: Timestamp;
}

export interface RentalRulesTable {
  id: Generated<number>;
  version: number;
  factor: RentalFactor;
  params: Json<Record<string, unknown>>;
  points: number;
  label: string;
  active: Generated<boolean>;
  created_by: number | null;
  created_at: Timestamp;
}

export interface InspectionsTable {
  id: Generated<number>;
  building_code: string;
  /** left(code, 9) of its building, unit or grid: named by every writer, Citus' distribution key to be (sql/0051). */
  street_code: string;
  unit_code: string | null;
  inspector_user_id: number | null;
  collector_id: number | null;
  inspector_role: 'police' | 'collector';
  visited_on: DateText;
  doors_ok: boolean | null;
  hygiene_good: boolean | null;
  neighbours_good: boolean | null;
  tenants_registered: boolean | null;
  clue_given: Generated<boolean>;
  notes: string | null;
  created_at: Timestamp;
}

/** sql/0009_person_checks.sql: who an inspection found (or missed) where they are registered. */
export interface InspectionPersonChecksTable {
  inspection_id: number;
  person_id: number;
  found_here: boolean;
  registered_here: boolean;
}

/** The columns of a stored monthly score, whether of a building or of a household. */
interface MonthScoreColumns {
  month: DateText;
  score: number;
  tier: RentalTier;
  clean_months: number;
  explanation: Json<ScoreExplanation>;
  rules_version: number;
  computed_at: Timestamp;
}

export interface RentalScoresTable extends MonthScoreColumns {
  building_code: string;
  /** left(code, 9) of its building, unit or grid: named by every writer, Citus' distribution key to be (sql/0051). */
  street_code: string;
}

/** sql/0010_household_scores.sql: one row per household (let unit) of a building let separately, and month. */
export interface RentalUnitScoresTable extends MonthScoreColumns {
  unit_code: string;
  /** left(code, 9) of its building, unit or grid: named by every writer, Citus' distribution key to be (sql/0051). */
  street_code: string;
}

export interface RentalTierCountsTable {
  month: DateText;
  grid_code: string;
  /** left(code, 9) of its building, unit or grid: named by every writer, Citus' distribution key to be (sql/0051). */
  street_code: string;
  red: number;
  yellow: number;
  green: number;
  star: number;
}

export interface RentalScheduleTable {
  building_code: string;
  grid_code: string;
  /** left(code, 9) of its building, unit or grid: named by every writer, Citus' distribution key to be (sql/0051). */
  street_code: string;
  tier: RentalTier;
  scored_month: DateText;
  schedule_start: DateText;
  police_interval_days: number | null;
  collector_interval_days: number | null;
  last_police_visit: DateText | null;
  last_collector_visit: DateText | null;
  police_due_on: ColumnType<DateText | null, never, never>;
  collector_due_on: ColumnType<DateText | null, never, never>;
}

export interface RentalTables {
  person_flags: PersonFlagsTable;
  rental_rule_versions: RentalRuleVersionsTable;
  rental_rules: RentalRulesTable;
  inspections: InspectionsTable;
  inspection_person_checks: InspectionPersonChecksTable;
  rental_scores: RentalScoresTable;
  rental_unit_scores: RentalUnitScoresTable;
  rental_tier_counts: RentalTierCountsTable;
  rental_schedule: RentalScheduleTable;
}
