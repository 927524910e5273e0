-- Rental housing (三色四级): scoring rules as versioned data, monthly scores with their
-- explanation, inspections and the visit schedule that follows each building's tier.

-- Person flags that tenant factors count. Kept apart from persons: a flag has a period.
CREATE TABLE person_flags (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id bigint NOT NULL REFERENCES persons (id),
  flag text NOT NULL CHECK (flag IN ('key_person', 'work_target')),
  from_date date NOT NULL,
  to_date date,
  created_by bigint REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT person_flag_ends_after_start CHECK (to_date IS NULL OR to_date >= from_date)
);
CREATE INDEX person_flags_person_idx ON person_flags (person_id, from_date);

-- A rule set is edited by writing a whole new version; scores name the version they used.
CREATE TABLE rental_rule_versions (
  version int PRIMARY KEY CHECK (version >= 1),
  note text CHECK (length(note) <= 500),
  created_by bigint REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rental_rules (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  version int NOT NULL REFERENCES rental_rule_versions (version),
  factor text NOT NULL CHECK (factor IN ('tenant_flag', 'case', 'landlord_registration', 'clue', 'doors', 'neighbours', 'hygiene')),
  params jsonb NOT NULL,
  points numeric(4, 1) NOT NULL CHECK (points BETWEEN -20 AND 20 AND points <> 0),
  label text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
  active boolean NOT NULL DEFAULT true,
  created_by bigint REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Origin (birthplace, hukou province, ethnicity) is never a factor: profiling by region is
  -- unlawful discrimination. Mirrors ORIGIN_TERMS in server/domain/rental-scoring.ts.
  CONSTRAINT rental_rule_never_uses_origin CHECK (
    lower(factor || ' ' || params::text || ' ' || label)
      !~ '(origin|hukou|birth|province|ethnic|nationality|native_?place|民族|籍贯|户籍|户口|出生|省份|国籍|地域)'),
  -- Each factor takes exactly the parameters the engine understands, so a rule cannot mean
  -- something the scorer would silently ignore.
  CONSTRAINT rental_rule_params_fit_factor CHECK (
    (factor = 'tenant_flag' AND params = jsonb_build_object('flag', params -> 'flag')
      AND params ->> 'flag' IN ('key_person', 'work_target'))
    OR (factor = 'case' AND params = jsonb_build_object('caseKind', params -> 'caseKind')
      AND params ->> 'caseKind' IN ('criminal', 'public_order'))
    OR (factor = 'landlord_registration' AND params = jsonb_build_object('onTime', params -> 'onTime')
      AND jsonb_typeof(params -> 'onTime') = 'boolean')
    OR (factor = 'doors' AND params = jsonb_build_object('installed', params -> 'installed')
      AND jsonb_typeof(params -> 'installed') = 'boolean')
    OR (factor IN ('neighbours', 'hygiene') AND params = jsonb_build_object('good', params -> 'good')
      AND jsonb_typeof(params -> 'good') = 'boolean')
    OR (factor = 'clue' AND params = '{}'::jsonb)),
  CONSTRAINT rental_rule_once_per_version UNIQUE (version, factor, params)
);

-- Version 1: the table in DOMAIN.md.
INSERT INTO rental_rule_versions (version, note) VALUES (1, 'DOMAIN.md 三色四级 table');
INSERT INTO rental_rules (version, factor, params, points, label) VALUES
  (1, 'tenant_flag', '{"flag": "key_person"}', -3, '每名重点人员租客'),
  (1, 'tenant_flag', '{"flag": "work_target"}', -2, '每名工作对象租客'),
  (1, 'case', '{"caseKind": "criminal"}', -3, '每起刑事案件'),
  (1, 'case', '{"caseKind": "public_order"}', -1, '每起治安案件'),
  (1, 'landlord_registration', '{"onTime": true}', 2, '房东按时登记租客'),
  (1, 'landlord_registration', '{"onTime": false}', -2, '房东未按时登记租客'),
  (1, 'clue', '{}', 5, '房东提供有效线索'),
  (1, 'doors', '{"installed": true}', 3, '安装防盗门'),
  (1, 'doors', '{"installed": false}', -3, '未装防盗门'),
  (1, 'neighbours', '{"good": true}', 1, '邻里关系良好'),
  (1, 'neighbours', '{"good": false}', -1, '邻里关系差'),
  (1, 'hygiene', '{"good": true}', 1, '卫生良好'),
  (1, 'hygiene', '{"good": false}', -1, '卫生差');

-- 走访: what a police officer or collector found at a building (or one of its units).
CREATE TABLE inspections (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  building_code text NOT NULL REFERENCES buildings (code),
  unit_code text REFERENCES units (code),
  -- Null for visits loaded in bulk (demo, imports) rather than entered by a logged-in user.
  inspector_user_id bigint REFERENCES users (id),
  collector_id bigint REFERENCES collectors (id),
  inspector_role text NOT NULL CHECK (inspector_role IN ('police', 'collector')),
  visited_on date NOT NULL,
  -- Null: not checked on this visit.
  doors_ok boolean,
  hygiene_good boolean,
  neighbours_good boolean,
  tenants_registered boolean,
  clue_given boolean NOT NULL DEFAULT false,
  notes text CHECK (length(notes) <= 1000),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT inspection_unit_in_building CHECK (unit_code IS NULL OR building_code = left(unit_code, 19))
);
CREATE INDEX inspections_building_idx ON inspections (building_code, visited_on);
CREATE INDEX inspections_collector_idx ON inspections (collector_id, visited_on) WHERE collector_id IS NOT NULL;

-- One row per rental building and month (first day). The heatmap reads
-- rental_scores(building_code, month, score, tier) by these names.
CREATE TABLE rental_scores (
  building_code text NOT NULL REFERENCES buildings (code),
  month date NOT NULL CHECK (extract(day FROM month) = 1),
  score numeric(5, 1) NOT NULL,
  tier text NOT NULL CHECK (tier IN ('red', 'yellow', 'green', 'star')),
  -- Consecutive clean months ending with this one: what a red house needs three of.
  clean_months smallint NOT NULL CHECK (clean_months >= 0),
  -- json, not jsonb: one is written per rental building and month, and the embedded engine
  -- parses json on input in about half the time; it is only ever read whole.
  explanation json NOT NULL,
  rules_version int NOT NULL REFERENCES rental_rule_versions (version),
  computed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (building_code, month)
);
CREATE INDEX rental_scores_month_idx ON rental_scores (month, building_code) INCLUDE (score, tier);

-- Tier counts per grid and month, rewritten by each scoring run: the heatmap and KPI cards read
-- these instead of counting scores per request.
CREATE TABLE rental_tier_counts (
  month date NOT NULL,
  grid_code text NOT NULL REFERENCES grids (code),
  red int NOT NULL,
  yellow int NOT NULL,
  green int NOT NULL,
  star int NOT NULL,
  PRIMARY KEY (month, grid_code)
);

-- The visit schedule of each scored rental building: intervals follow its latest tier, last
-- visits follow inspections. Overdue lists are index range scans on the due dates.
CREATE TABLE rental_schedule (
  building_code text PRIMARY KEY REFERENCES buildings (code),
  grid_code text NOT NULL REFERENCES grids (code),
  tier text NOT NULL CHECK (tier IN ('red', 'yellow', 'green', 'star')),
  scored_month date NOT NULL,
  -- The schedule for a tier starts the day after its month ends.
  schedule_start date NOT NULL,
  police_interval_days smallint CHECK (police_interval_days > 0),
  collector_interval_days smallint CHECK (collector_interval_days > 0),
  last_police_visit date,
  last_collector_visit date,
  police_due_on date GENERATED ALWAYS AS (
    CASE WHEN police_interval_days IS NULL THEN NULL
         ELSE coalesce(last_police_visit + police_interval_days, schedule_start) END) STORED,
  collector_due_on date GENERATED ALWAYS AS (
    CASE WHEN collector_interval_days IS NULL THEN NULL
         ELSE coalesce(last_collector_visit + collector_interval_days, schedule_start) END) STORED
);
CREATE INDEX rental_schedule_grid_idx ON rental_schedule (grid_code);
CREATE INDEX rental_schedule_police_due_idx ON rental_schedule (police_due_on) WHERE police_due_on IS NOT NULL;
CREATE INDEX rental_schedule_collector_due_idx ON rental_schedule (collector_due_on) WHERE collector_due_on IS NOT NULL;
