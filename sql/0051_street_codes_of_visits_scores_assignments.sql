-- Issue #20, docs/citus.md step 3 (the street group), continued from sql/0050: visits, rental
-- scores, the visit schedule, the tier counts and collector assignments carry their street's code
-- (the first 9 digits of their building's, unit's or grid's code), named by every writer and
-- CHECKed, on every engine. Nothing is distributed by it yet.
ALTER TABLE inspections ADD COLUMN street_code text;
UPDATE inspections SET street_code = left(building_code, 9);
ALTER TABLE inspections ALTER COLUMN street_code SET NOT NULL;
ALTER TABLE inspections ADD CONSTRAINT inspections_street_code_of_building CHECK (street_code = left(building_code, 9));

ALTER TABLE rental_scores ADD COLUMN street_code text;
UPDATE rental_scores SET street_code = left(building_code, 9);
ALTER TABLE rental_scores ALTER COLUMN street_code SET NOT NULL;
ALTER TABLE rental_scores ADD CONSTRAINT rental_scores_street_code_of_building CHECK (street_code = left(building_code, 9));

ALTER TABLE rental_unit_scores ADD COLUMN street_code text;
UPDATE rental_unit_scores SET street_code = left(unit_code, 9);
ALTER TABLE rental_unit_scores ALTER COLUMN street_code SET NOT NULL;
ALTER TABLE rental_unit_scores ADD CONSTRAINT rental_unit_scores_street_code_of_unit CHECK (street_code = left(unit_code, 9));

ALTER TABLE rental_schedule ADD COLUMN street_code text;
UPDATE rental_schedule SET street_code = left(building_code, 9);
ALTER TABLE rental_schedule ALTER COLUMN street_code SET NOT NULL;
ALTER TABLE rental_schedule ADD CONSTRAINT rental_schedule_street_code_of_building CHECK (street_code = left(building_code, 9));

ALTER TABLE rental_tier_counts ADD COLUMN street_code text;
UPDATE rental_tier_counts SET street_code = left(grid_code, 9);
ALTER TABLE rental_tier_counts ALTER COLUMN street_code SET NOT NULL;
ALTER TABLE rental_tier_counts ADD CONSTRAINT rental_tier_counts_street_code_of_grid CHECK (street_code = left(grid_code, 9));

ALTER TABLE collector_assignments ADD COLUMN street_code text;
UPDATE collector_assignments SET street_code = left(grid_code, 9);
ALTER TABLE collector_assignments ALTER COLUMN street_code SET NOT NULL;
ALTER TABLE collector_assignments ADD CONSTRAINT collector_assignments_street_code_of_grid CHECK (street_code = left(grid_code, 9));
