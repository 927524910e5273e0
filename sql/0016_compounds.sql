-- Compounds (小区 / 院落, issue 15 item 6): a named group of buildings inside one community, the
-- courtyard of the field reports. The code is the community's 12 digits, a hyphen and 3 digits
-- (440307001001-001): it places the compound in its community by construction, and the hyphen keeps
-- it from ever reading as a grid (14 digits) or building code under a code-prefix jurisdiction.
CREATE TABLE compounds (
  code text PRIMARY KEY CHECK (code ~ '^[0-9]{12}-[0-9]{3}$' AND right(code, 3) <> '000'),
  community_code text NOT NULL REFERENCES admin_areas (code),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT compound_in_its_community CHECK (community_code = left(code, 12))
);
CREATE INDEX compounds_community_idx ON compounds (community_code);

-- A building belongs to at most one compound, which must lie in the building's own community
-- (the first 12 digits of both codes): imports and direct SQL cannot group across communities.
ALTER TABLE buildings ADD COLUMN compound_code text REFERENCES compounds (code);
ALTER TABLE buildings ADD CONSTRAINT building_in_its_compound_community
  CHECK (compound_code IS NULL OR left(compound_code, 12) = left(code, 12));
CREATE INDEX buildings_compound_idx ON buildings (compound_code) WHERE compound_code IS NOT NULL;

-- Compounds are imported like buildings (server/imports/kinds/compounds.ts).
ALTER TABLE import_jobs DROP CONSTRAINT import_jobs_kind_check;
ALTER TABLE import_jobs ADD CONSTRAINT import_jobs_kind_check CHECK (kind IN ('buildings', 'units', 'people', 'cases', 'compounds'));
