-- renwu core schema: the coded city (areas, grids, buildings, units), people and their
-- residencies, permits, cases, collectors and users. All geometry is EPSG:4326.
CREATE EXTENSION IF NOT EXISTS postgis;

-- GB 11643 citizen ID check, mirrored from server/domain/id-number.ts so that imports and
-- direct SQL cannot store an ID the application would reject.
CREATE OR REPLACE FUNCTION gb11643_is_valid(id text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
  weights int[] := ARRAY[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2];
  total int := 0;
  birth date;
BEGIN
  IF id !~ '^[0-9]{17}[0-9X]$' THEN RETURN false; END IF;
  FOR i IN 1..17 LOOP
    total := total + (substr(id, i, 1))::int * weights[i];
  END LOOP;
  IF substr('10X98765432', (total % 11) + 1, 1) <> substr(id, 18, 1) THEN RETURN false; END IF;
  BEGIN
    birth := to_date(substr(id, 7, 8), 'YYYYMMDD');
  EXCEPTION WHEN others THEN RETURN false;
  END;
  -- to_date accepts 20230230 by rolling over; require the date to print back identically.
  RETURN to_char(birth, 'YYYYMMDD') = substr(id, 7, 8) AND birth >= DATE '1880-01-01';
END $$;

-- district (6-digit county code) → street (9) → community (12)
CREATE TABLE admin_areas (
  code text PRIMARY KEY,
  level text NOT NULL CHECK (level IN ('district', 'street', 'community')),
  parent_code text REFERENCES admin_areas (code),
  name text NOT NULL,
  geom geometry(MultiPolygon, 4326) NOT NULL,
  CONSTRAINT admin_area_code_matches_level CHECK (
    (level = 'district' AND code ~ '^[0-9]{6}$' AND parent_code IS NULL)
    OR (level = 'street' AND code ~ '^[0-9]{9}$' AND parent_code = left(code, 6))
    OR (level = 'community' AND code ~ '^[0-9]{12}$' AND parent_code = left(code, 9)))
);
CREATE INDEX admin_areas_geom_idx ON admin_areas USING gist (geom);
CREATE INDEX admin_areas_parent_idx ON admin_areas (parent_code);

-- base grid (基础网格): community code + 2 digits
CREATE TABLE grids (
  code text PRIMARY KEY CHECK (code ~ '^[0-9]{14}$' AND right(code, 2) <> '00'),
  community_code text NOT NULL REFERENCES admin_areas (code),
  name text NOT NULL,
  geom geometry(MultiPolygon, 4326) NOT NULL,
  area_km2 double precision NOT NULL CHECK (area_km2 > 0),
  CONSTRAINT grid_in_its_community CHECK (community_code = left(code, 12))
);
CREATE INDEX grids_geom_idx ON grids USING gist (geom);
CREATE INDEX grids_community_idx ON grids (community_code);

CREATE TABLE buildings (
  code text PRIMARY KEY CHECK (code ~ '^[0-9]{19}$' AND right(code, 5) <> '00000'),
  grid_code text NOT NULL REFERENCES grids (code),
  address text NOT NULL CHECK (length(address) BETWEEN 1 AND 200),
  floors smallint NOT NULL CHECK (floors BETWEEN 1 AND 200),
  use text NOT NULL CHECK (use IN ('residential', 'mixed', 'factory_dormitory', 'shop_house', 'urban_village')),
  management_mode text NOT NULL CHECK (management_mode IN ('hotel', 'property', 'employer', 'patrol', 'gated')),
  has_access_control boolean NOT NULL DEFAULT false,
  has_video boolean NOT NULL DEFAULT false,
  responsibility_letter_signed boolean NOT NULL DEFAULT false,
  landlord_name text,
  landlord_phone text CHECK (landlord_phone ~ '^[0-9+\- ]{5,20}$'),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'demolished')),
  point geometry(Point, 4326) NOT NULL,
  footprint geometry(Polygon, 4326),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT building_in_its_grid CHECK (grid_code = left(code, 14))
);
CREATE INDEX buildings_point_idx ON buildings USING gist (point);
CREATE INDEX buildings_footprint_idx ON buildings USING gist (footprint);
CREATE INDEX buildings_grid_idx ON buildings (grid_code);

CREATE TABLE units (
  code text PRIMARY KEY CHECK (code ~ '^[0-9]{25}$' AND right(code, 6) <> '000000'),
  building_code text NOT NULL REFERENCES buildings (code),
  floor smallint NOT NULL CHECK (floor BETWEEN -5 AND 200),
  room text NOT NULL CHECK (length(room) BETWEEN 1 AND 20),
  area_m2 numeric(7, 1) CHECK (area_m2 > 0),
  use text NOT NULL CHECK (use IN ('self_occupied', 'rented', 'vacant', 'shop', 'dormitory')),
  rental_registered boolean NOT NULL DEFAULT false,
  landlord_name text,
  CONSTRAINT unit_in_its_building CHECK (building_code = left(code, 19))
);
CREATE INDEX units_building_idx ON units (building_code, floor);

-- 实有人口: registered residents, lodgers, floating population, foreigners
CREATE TABLE persons (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id_type text NOT NULL CHECK (id_type IN ('id_card', 'passport')),
  id_number text NOT NULL UNIQUE,
  nationality text NOT NULL DEFAULT 'CHN' CHECK (nationality ~ '^[A-Z]{3}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  sex text NOT NULL CHECK (sex IN ('M', 'F')),
  birth_date date NOT NULL,
  ethnicity text,
  hukou_address text,
  phone text CHECK (phone ~ '^[0-9+\- ]{5,20}$'),
  category text NOT NULL CHECK (category IN ('registered', 'lodging', 'floating', 'overseas')),
  floating_type text CHECK (floating_type IN ('single', 'shared', 'dormitory', 'family')),
  employer text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT person_id_number_valid CHECK (
    (id_type = 'id_card' AND gb11643_is_valid(id_number)
      AND birth_date = to_date(substr(id_number, 7, 8), 'YYYYMMDD'))
    OR (id_type = 'passport' AND id_number ~ '^[A-Z0-9]{5,20}$')),
  CONSTRAINT overseas_use_passports CHECK ((category = 'overseas') = (id_type = 'passport')),
  CONSTRAINT floating_type_only_for_floating CHECK (floating_type IS NULL OR category = 'floating')
);
CREATE INDEX persons_name_idx ON persons (name);

-- 居住登记: one row per stay; history is never overwritten
CREATE TABLE residencies (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id bigint NOT NULL REFERENCES persons (id),
  unit_code text NOT NULL REFERENCES units (code),
  moved_in date NOT NULL,
  moved_out date,
  registered_at date NOT NULL,
  deregistered_at date,
  CONSTRAINT moved_out_after_moved_in CHECK (moved_out IS NULL OR moved_out >= moved_in),
  CONSTRAINT registered_after_event CHECK (registered_at >= moved_in),
  CONSTRAINT deregistered_after_move_out CHECK (deregistered_at IS NULL OR (moved_out IS NOT NULL AND deregistered_at >= moved_out))
);
CREATE UNIQUE INDEX residencies_one_current_per_person ON residencies (person_id) WHERE moved_out IS NULL;
CREATE INDEX residencies_person_idx ON residencies (person_id, moved_in);
CREATE INDEX residencies_unit_idx ON residencies (unit_code) INCLUDE (moved_in, moved_out);

-- 居住证
CREATE TABLE permits (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id bigint NOT NULL REFERENCES persons (id),
  permit_no text NOT NULL UNIQUE,
  issued_on date NOT NULL,
  expires_on date NOT NULL,
  years smallint NOT NULL CHECK (years BETWEEN 1 AND 10),
  status text NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'renewed', 'revoked')),
  revoked_on date,
  renewed_from bigint REFERENCES permits (id),
  CONSTRAINT permit_expires_after_issue CHECK (expires_on > issued_on),
  CONSTRAINT revoked_has_date CHECK ((status = 'revoked') = (revoked_on IS NOT NULL))
);
CREATE INDEX permits_person_idx ON permits (person_id);
CREATE INDEX permits_expiry_idx ON permits (expires_on) WHERE status = 'valid';

CREATE TABLE cases (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_no text NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('criminal', 'public_order')),
  category text NOT NULL,
  occurred_at timestamptz NOT NULL,
  point geometry(Point, 4326) NOT NULL,
  grid_code text REFERENCES grids (code),
  building_code text REFERENCES buildings (code),
  unit_code text REFERENCES units (code),
  CONSTRAINT case_unit_in_building CHECK (unit_code IS NULL OR building_code = left(unit_code, 19))
);
CREATE INDEX cases_point_idx ON cases USING gist (point);
CREATE INDEX cases_grid_time_idx ON cases (grid_code, occurred_at);
CREATE INDEX cases_building_idx ON cases (building_code, occurred_at);

-- 协管员/信息员
CREATE TABLE collectors (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  phone text CHECK (phone ~ '^[0-9+\- ]{5,20}$'),
  photo_url text,
  employment text NOT NULL CHECK (employment IN ('full_time', 'part_time')),
  employer text,
  active boolean NOT NULL DEFAULT true
);

CREATE TABLE collector_assignments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  collector_id bigint NOT NULL REFERENCES collectors (id),
  grid_code text NOT NULL REFERENCES grids (code),
  assigned_on date NOT NULL,
  ended_on date,
  CONSTRAINT assignment_ends_after_start CHECK (ended_on IS NULL OR ended_on >= assigned_on)
);
CREATE UNIQUE INDEX collector_assignments_current ON collector_assignments (collector_id, grid_code) WHERE ended_on IS NULL;
CREATE INDEX collector_assignments_grid_idx ON collector_assignments (grid_code) WHERE ended_on IS NULL;

CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9_.-]{3,40}$'),
  display_name text NOT NULL,
  role text NOT NULL CHECK (role IN ('leader', 'planner', 'police', 'collector', 'admin', 'auditor')),
  password_hash text NOT NULL,
  -- code prefixes the user may act in (district 6, street 9, community 12 or grid 14 digits)
  jurisdiction text[] NOT NULL DEFAULT '{}',
  collector_id bigint REFERENCES collectors (id),
  is_demo boolean NOT NULL DEFAULT false,
  disabled boolean NOT NULL DEFAULT false,
  failed_logins int NOT NULL DEFAULT 0,
  locked_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id),
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Every read of a person and every write. Append-only, and each row carries the hash of the
-- previous one (by chain_seq) so an edited or deleted row breaks the chain.
CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  chain_seq bigint UNIQUE,
  at timestamptz NOT NULL DEFAULT now(),
  user_id bigint REFERENCES users (id),
  username text,
  role text,
  action text NOT NULL,
  target_type text NOT NULL,
  target_id text,
  purpose text,
  details jsonb NOT NULL DEFAULT '{}',
  prev_hash text,
  hash text
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id);

-- The text a row's hash covers; verification recomputes it the same way.
CREATE OR REPLACE FUNCTION audit_row_digest(prev_hash text, entry audit_log) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(concat_ws('|', prev_hash, entry.chain_seq, to_char(entry.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
    entry.user_id, entry.username, entry.role, entry.action, entry.target_type, entry.target_id, entry.purpose, entry.details::text), 'UTF8')), 'hex')
$$;

CREATE OR REPLACE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last_row record;
BEGIN
  -- Serialise appends so that chain_seq order is commit order and no two rows share a parent.
  PERFORM pg_advisory_xact_lock(86420001);
  SELECT chain_seq, hash INTO last_row FROM audit_log ORDER BY chain_seq DESC LIMIT 1;
  NEW.chain_seq := coalesce(last_row.chain_seq, 0) + 1;
  NEW.prev_hash := coalesce(last_row.hash, 'genesis');
  NEW.hash := audit_row_digest(NEW.prev_hash, NEW);
  RETURN NEW;
END $$;
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_chain();

CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();

-- Facts about this database's content, e.g. which demo city (seed, scale) was generated.
CREATE TABLE settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
