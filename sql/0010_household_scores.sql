-- Rental households (分租): where a building's units are let separately (two or more let units,
-- server/domain/rental-scoring.ts isLetSeparately), each let unit is a household scored monthly
-- on its own facts by the same engine and rule set as the building (docs/rentals.md).

-- One row per household (let unit) and month (first day), beside rental_scores per building.
-- No foreign keys, unlike rental_scores: there are about seven households for each rental
-- building, and the per-row checks would take half the time of writing a city's months. Only
-- the scoring run writes here, with unit codes and a rule set version it has just read, and
-- neither is ever deleted (codes are permanent, rule sets are versioned).
CREATE TABLE rental_unit_scores (
  unit_code text NOT NULL CHECK (unit_code ~ '^[0-9]{25}$'),
  month date NOT NULL CHECK (extract(day FROM month) = 1),
  score numeric(5, 1) NOT NULL,
  tier text NOT NULL CHECK (tier IN ('red', 'yellow', 'green', 'star')),
  -- Consecutive clean months ending with this one: what a red household needs three of.
  clean_months smallint NOT NULL CHECK (clean_months >= 0),
  -- json, not jsonb, for the same reason as rental_scores: written in bulk, only read whole.
  explanation json NOT NULL,
  rules_version int NOT NULL,
  computed_at timestamptz NOT NULL DEFAULT now(),
  -- A building's households are the range of unit codes that start with its code.
  PRIMARY KEY (unit_code, month)
);
-- A scoring run replaces whole months.
CREATE INDEX rental_unit_scores_month_idx ON rental_unit_scores (month);
