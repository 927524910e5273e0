-- Issue #20, docs/citus.md step 3 (the street group), begun: buildings, units and residencies
-- (stays) carry their street's code (the first 9 digits of the building's or unit's code) as a
-- column of its own. Citus routes a statement on the
-- distribution column's value in the statement itself — before any default or trigger could fill
-- it, and never on a generated column ("Distribution column must not use GENERATED ALWAYS AS (...)
-- STORED", probed on the local cluster) — so every writer names it, here as on every engine, and a
-- CHECK refuses a writer that names it wrong. Nothing is distributed by it yet.
ALTER TABLE buildings ADD COLUMN street_code text;
UPDATE buildings SET street_code = left(code, 9);
ALTER TABLE buildings ALTER COLUMN street_code SET NOT NULL;
ALTER TABLE buildings ADD CONSTRAINT buildings_street_code_of_code CHECK (street_code = left(code, 9));

ALTER TABLE units ADD COLUMN street_code text;
UPDATE units SET street_code = left(code, 9);
ALTER TABLE units ALTER COLUMN street_code SET NOT NULL;
ALTER TABLE units ADD CONSTRAINT units_street_code_of_code CHECK (street_code = left(code, 9));

ALTER TABLE residencies ADD COLUMN street_code text;
UPDATE residencies SET street_code = left(unit_code, 9);
ALTER TABLE residencies ALTER COLUMN street_code SET NOT NULL;
ALTER TABLE residencies ADD CONSTRAINT residencies_street_code_of_unit CHECK (street_code = left(unit_code, 9));
