-- Grid analytics (issue 5): per-grid statistics maintained for the heatmap and KPI APIs, so a
-- city-scale map reads at most one row per grid instead of scanning persons.
--
-- Counting rules (the API, the direct counts in tests and these tables all follow them):
-- * A residency counts on day d when moved_in <= d AND (moved_out IS NULL OR moved_out > d):
--   on the day of moving out the person is no longer counted. It counts in the grid of its
--   unit (the first 14 digits of the unit code), under the person's current category (no
--   category history is kept: a category change re-files the person's whole history).
-- * A floating stay counts as registered on d when it counts on d and registered_at <= d.
-- * A permit is valid on d when issued_on <= d <= expires_on and it was not revoked on or
--   before d (revoked_on IS NULL OR revoked_on > d). A floating stay counts as permit-holding
--   on d when it counts on d and the person holds a valid permit on d.
-- * A case belongs to its grid_code, else to the grid of its building code; cases with neither
--   are counted nowhere. Its day is the local (Asia/Shanghai) date of occurred_at. It happened
--   in rental housing when its unit is rented, or (no unit) when its building has a rented unit.
-- * Units and buildings have no history: their statistics are current state, active buildings.
--
-- Upkeep: statement-level triggers on residencies, persons (category), permits, cases, units and
-- buildings keep everything current whatever the write path. A bulk load may disable them
-- (ALTER TABLE … DISABLE TRIGGER USER) and call refresh_grid_stats() afterwards.

-- The local calendar day of a moment: China keeps one time zone.
CREATE FUNCTION city_day(moment timestamptz) RETURNS date
LANGUAGE sql STABLE AS $$ SELECT (moment AT TIME ZONE 'Asia/Shanghai')::date $$;

CREATE FUNCTION city_today() RETURNS date
LANGUAGE sql STABLE AS $$ SELECT city_day(now()) $$;

-- ---------------------------------------------------------------- population by grid and day

-- Net change of each count on one day in one grid (+1 on the first counted day, -1 on the first
-- day no longer counted). The cumulative sum up to d is the count on d.
CREATE TYPE population_delta AS (
  grid_code text, day date,
  registered int, lodging int, floating int, overseas int, floating_registered int, floating_permitted int);

CREATE TABLE grid_population_changes (
  grid_code text NOT NULL,
  day date NOT NULL,
  registered int NOT NULL,
  lodging int NOT NULL,
  floating int NOT NULL,
  overseas int NOT NULL,
  floating_registered int NOT NULL,
  floating_permitted int NOT NULL,
  PRIMARY KEY (grid_code, day)
);

-- The counts on every day of the kept window, for every grid that ever had a resident: the time
-- slider reads one index range (day = d) of at most one row per grid. Days before the window
-- are answered by summing grid_population_changes (slower, same result).
CREATE TABLE grid_population_daily (
  day date NOT NULL,
  grid_code text NOT NULL,
  registered int NOT NULL,
  lodging int NOT NULL,
  floating int NOT NULL,
  overseas int NOT NULL,
  floating_registered int NOT NULL,
  floating_permitted int NOT NULL,
  PRIMARY KEY (day, grid_code)
) WITH (fillfactor = 90);
-- Write paths add a change to one grid's days from the change onwards.
CREATE INDEX grid_population_daily_grid_idx ON grid_population_daily (grid_code, day);

-- The days grid_population_daily holds. Reads extend last_day up to today on demand.
CREATE TABLE grid_population_window (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  first_day date NOT NULL,
  last_day date NOT NULL,
  CONSTRAINT window_not_empty CHECK (last_day >= first_day)
);
INSERT INTO grid_population_window (first_day, last_day) VALUES (city_today() - 1100, city_today());

-- What a set of people contributes, as changes per grid and day. Arguments are whole rows so
-- that a trigger can pass the state before a statement next to the state after it. plpgsql
-- rather than sql: its plan is cached per session instead of planned on every call.
CREATE FUNCTION population_deltas(stays residencies[], people persons[], held permits[])
RETURNS SETOF population_delta LANGUAGE plpgsql STABLE
-- The arrays' sizes are unknown to the planner: a nested loop between two of them turns
-- quadratic on the refresh's chunks, while hashing a handful of trigger rows costs nothing.
SET enable_nestloop = off AS $$
BEGIN
  RETURN QUERY
  WITH stay AS (
    SELECT left(r.unit_code, 14) AS grid_code, r.person_id, p.category, r.moved_in AS since,
           coalesce(r.moved_out, 'infinity') AS until, r.registered_at
    FROM unnest(stays) AS r JOIN unnest(people) AS p ON p.id = r.person_id),
  permit_span AS (
    SELECT m.person_id, m.issued_on AS since, least(m.expires_on + 1, coalesce(m.revoked_on, 'infinity')) AS until
    FROM unnest(held) AS m),
  -- Renewals overlap their predecessor: merge each person's permits into disjoint islands.
  permit_span_marked AS (
    SELECT person_id, since, until,
           CASE WHEN since <= max(until) OVER earlier THEN 0 ELSE 1 END AS opens_island
    FROM permit_span WHERE since < until
    WINDOW earlier AS (PARTITION BY person_id ORDER BY since, until ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)),
  permit_island AS (
    SELECT person_id, min(since) AS since, max(until) AS until
    FROM (SELECT person_id, since, until,
                 sum(opens_island) OVER (PARTITION BY person_id ORDER BY since, until ROWS UNBOUNDED PRECEDING) AS island
          FROM permit_span_marked) AS numbered
    GROUP BY person_id, island),
  counted AS (
    SELECT grid_code, category AS measure, since, until FROM stay
    UNION ALL
    SELECT grid_code, 'floating_registered', registered_at, until FROM stay WHERE category = 'floating'
    UNION ALL
    SELECT s.grid_code, 'floating_permitted', greatest(s.since, i.since), least(s.until, i.until)
    FROM stay AS s JOIN permit_island AS i ON i.person_id = s.person_id
    WHERE s.category = 'floating'),
  edge AS (
    SELECT grid_code, measure, since AS day, 1 AS delta FROM counted WHERE since < until
    UNION ALL
    SELECT grid_code, measure, until, -1 FROM counted WHERE since < until AND until <> 'infinity')
  SELECT grid_code, day,
         coalesce(sum(delta) FILTER (WHERE measure = 'registered'), 0)::int,
         coalesce(sum(delta) FILTER (WHERE measure = 'lodging'), 0)::int,
         coalesce(sum(delta) FILTER (WHERE measure = 'floating'), 0)::int,
         coalesce(sum(delta) FILTER (WHERE measure = 'overseas'), 0)::int,
         coalesce(sum(delta) FILTER (WHERE measure = 'floating_registered'), 0)::int,
         coalesce(sum(delta) FILTER (WHERE measure = 'floating_permitted'), 0)::int
  FROM edge GROUP BY edge.grid_code, edge.day;
END $$;

-- Rebuilds the daily rows of a few grids (a grid's first resident) from grid_population_changes.
CREATE FUNCTION materialize_grid_population(only_grids text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM grid_population_daily WHERE grid_code = ANY (only_grids);
  INSERT INTO grid_population_daily (day, grid_code, registered, lodging, floating, overseas, floating_registered, floating_permitted)
  WITH span AS (SELECT first_day, last_day FROM grid_population_window),
  opening AS (
    SELECT c.grid_code, sum(c.registered) AS registered, sum(c.lodging) AS lodging, sum(c.floating) AS floating,
           sum(c.overseas) AS overseas, sum(c.floating_registered) AS floating_registered, sum(c.floating_permitted) AS floating_permitted
    FROM grid_population_changes AS c, span
    WHERE c.day < span.first_day AND c.grid_code = ANY (only_grids)
    GROUP BY c.grid_code),
  calendar AS (
    SELECT g.code AS grid_code, series.day::date AS day
    FROM grids AS g, span, generate_series(span.first_day, span.last_day, interval '1 day') AS series (day)
    WHERE g.code = ANY (only_grids))
  SELECT k.day, k.grid_code,
         (coalesce(o.registered, 0) + sum(coalesce(c.registered, 0)) OVER running)::int,
         (coalesce(o.lodging, 0) + sum(coalesce(c.lodging, 0)) OVER running)::int,
         (coalesce(o.floating, 0) + sum(coalesce(c.floating, 0)) OVER running)::int,
         (coalesce(o.overseas, 0) + sum(coalesce(c.overseas, 0)) OVER running)::int,
         (coalesce(o.floating_registered, 0) + sum(coalesce(c.floating_registered, 0)) OVER running)::int,
         (coalesce(o.floating_permitted, 0) + sum(coalesce(c.floating_permitted, 0)) OVER running)::int
  FROM calendar AS k
  LEFT JOIN grid_population_changes AS c ON c.grid_code = k.grid_code AND c.day = k.day
  LEFT JOIN opening AS o ON o.grid_code = k.grid_code
  WINDOW running AS (PARTITION BY k.grid_code ORDER BY k.day ROWS UNBOUNDED PRECEDING);
END $$;

-- Writers hold this lock shared; extending the window and the full refresh hold it exclusively,
-- so no change can fall between the days they copy and the days a writer updates. This assumes
-- writers run READ COMMITTED (each statement sees what committed before it): a REPEATABLE READ
-- writer that started before an extension committed would miss the days it added.
CREATE FUNCTION grid_stats_lock_key() RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT 86420005::bigint $$;

-- Adds the difference between two states of the same people to the changes and the daily rows.
CREATE FUNCTION apply_population_change(
  before_stays residencies[], before_people persons[], before_held permits[],
  after_stays residencies[], after_people persons[], after_held permits[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  difference population_delta[];
  last_kept date;
  unmaterialized text[];
BEGIN
  difference := ARRAY(
    SELECT ROW(grid_code, day, sum(registered), sum(lodging), sum(floating), sum(overseas),
               sum(floating_registered), sum(floating_permitted))::population_delta
    FROM (SELECT * FROM population_deltas(after_stays, after_people, after_held)
          UNION ALL
          SELECT grid_code, day, -registered, -lodging, -floating, -overseas, -floating_registered, -floating_permitted
          FROM population_deltas(before_stays, before_people, before_held)) AS both_states
    GROUP BY grid_code, day
    HAVING (sum(registered), sum(lodging), sum(floating), sum(overseas), sum(floating_registered), sum(floating_permitted))
           <> (0, 0, 0, 0, 0, 0));
  IF cardinality(difference) = 0 THEN RETURN; END IF;
  PERFORM pg_advisory_xact_lock_shared(grid_stats_lock_key());

  INSERT INTO grid_population_changes AS c SELECT * FROM unnest(difference)
  ON CONFLICT (grid_code, day) DO UPDATE SET
    registered = c.registered + excluded.registered, lodging = c.lodging + excluded.lodging,
    floating = c.floating + excluded.floating, overseas = c.overseas + excluded.overseas,
    floating_registered = c.floating_registered + excluded.floating_registered,
    floating_permitted = c.floating_permitted + excluded.floating_permitted;
  DELETE FROM grid_population_changes AS c
  USING unnest(difference) AS x
  WHERE c.grid_code = x.grid_code AND c.day = x.day
    AND (c.registered, c.lodging, c.floating, c.overseas, c.floating_registered, c.floating_permitted) = (0, 0, 0, 0, 0, 0);

  UPDATE grid_population_daily AS d SET
    registered = d.registered + s.registered, lodging = d.lodging + s.lodging, floating = d.floating + s.floating,
    overseas = d.overseas + s.overseas, floating_registered = d.floating_registered + s.floating_registered,
    floating_permitted = d.floating_permitted + s.floating_permitted
  FROM (SELECT k.day, k.grid_code, sum(x.registered) AS registered, sum(x.lodging) AS lodging, sum(x.floating) AS floating,
               sum(x.overseas) AS overseas, sum(x.floating_registered) AS floating_registered,
               sum(x.floating_permitted) AS floating_permitted
        FROM unnest(difference) AS x
        JOIN grid_population_daily AS k ON k.grid_code = x.grid_code AND k.day >= x.day
        GROUP BY k.day, k.grid_code) AS s
  WHERE d.day = s.day AND d.grid_code = s.grid_code;

  -- A grid's first resident: it has no daily rows to update yet.
  SELECT last_day INTO last_kept FROM grid_population_window;
  unmaterialized := ARRAY(
    SELECT DISTINCT x.grid_code FROM unnest(difference) AS x
    WHERE NOT EXISTS (SELECT 1 FROM grid_population_daily AS d WHERE d.day = last_kept AND d.grid_code = x.grid_code));
  IF cardinality(unmaterialized) > 0 THEN PERFORM materialize_grid_population(unmaterialized); END IF;
END $$;

-- Adds the days after `from_day` up to `until`, one day at a time: each day's rows are the
-- previous day's plus that day's changes, written in day order (what the reads scan).
CREATE FUNCTION carry_grid_population(from_day date, until date) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  FOR day_offset IN 1 .. until - from_day LOOP
    INSERT INTO grid_population_daily (day, grid_code, registered, lodging, floating, overseas, floating_registered, floating_permitted)
    SELECT from_day + day_offset, p.grid_code,
           p.registered + coalesce(c.registered, 0), p.lodging + coalesce(c.lodging, 0), p.floating + coalesce(c.floating, 0),
           p.overseas + coalesce(c.overseas, 0), p.floating_registered + coalesce(c.floating_registered, 0),
           p.floating_permitted + coalesce(c.floating_permitted, 0)
    FROM grid_population_daily AS p
    LEFT JOIN grid_population_changes AS c ON c.grid_code = p.grid_code AND c.day = from_day + day_offset
    WHERE p.day = from_day + day_offset - 1
    ORDER BY p.grid_code;
  END LOOP;
END $$;

-- Carries the daily rows forward to `until` (called by reads when the calendar has moved on).
CREATE FUNCTION extend_grid_population(until date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  previous_last date;
  unmaterialized text[];
BEGIN
  PERFORM pg_advisory_xact_lock(grid_stats_lock_key());
  SELECT last_day INTO previous_last FROM grid_population_window;
  IF until <= previous_last THEN RETURN; END IF;
  UPDATE grid_population_window SET last_day = until;
  PERFORM carry_grid_population(previous_last, until);
  -- Grids whose first change came after previous_last had no row to carry forward.
  unmaterialized := ARRAY(
    SELECT g.code FROM grids AS g
    WHERE NOT EXISTS (SELECT 1 FROM grid_population_daily AS d WHERE d.day = until AND d.grid_code = g.code)
      AND EXISTS (SELECT 1 FROM grid_population_changes AS c WHERE c.grid_code = g.code));
  IF cardinality(unmaterialized) > 0 THEN PERFORM materialize_grid_population(unmaterialized); END IF;
END $$;

-- Trigger bodies: each passes the affected people's state before and after the statement.
-- Transition tables allow one event per trigger, hence three triggers per table.
CREATE FUNCTION grid_stats_on_residencies() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  removed residencies[] := '{}';
  added residencies[] := '{}';
  affected bigint[];
  people persons[];
  held permits[];
BEGIN
  IF TG_OP <> 'INSERT' THEN removed := ARRAY(SELECT o::residencies FROM old_rows AS o); END IF;
  IF TG_OP <> 'DELETE' THEN added := ARRAY(SELECT n::residencies FROM new_rows AS n); END IF;
  -- Rows an UPDATE left the same in every counted column change nothing.
  affected := ARRAY(SELECT DISTINCT person_id FROM (
    (SELECT id, person_id, unit_code, moved_in, moved_out, registered_at FROM unnest(removed)
     EXCEPT SELECT id, person_id, unit_code, moved_in, moved_out, registered_at FROM unnest(added))
    UNION ALL
    (SELECT id, person_id, unit_code, moved_in, moved_out, registered_at FROM unnest(added)
     EXCEPT SELECT id, person_id, unit_code, moved_in, moved_out, registered_at FROM unnest(removed))) AS changed);
  IF cardinality(affected) = 0 THEN RETURN NULL; END IF;
  people := ARRAY(SELECT p FROM persons AS p WHERE p.id = ANY (affected));
  held := ARRAY(SELECT m FROM permits AS m WHERE m.person_id = ANY (affected));
  PERFORM apply_population_change(
    ARRAY(SELECT r FROM residencies AS r WHERE r.person_id = ANY (affected) AND r.id NOT IN (SELECT id FROM unnest(added)))
      || ARRAY(SELECT o FROM unnest(removed) AS o WHERE o.person_id = ANY (affected)),
    people, held,
    ARRAY(SELECT r FROM residencies AS r WHERE r.person_id = ANY (affected)), people, held);
  RETURN NULL;
END $$;

CREATE FUNCTION grid_stats_on_permits() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  removed permits[] := '{}';
  added permits[] := '{}';
  affected bigint[];
  people persons[];
  stays residencies[];
BEGIN
  IF TG_OP <> 'INSERT' THEN removed := ARRAY(SELECT o::permits FROM old_rows AS o); END IF;
  IF TG_OP <> 'DELETE' THEN added := ARRAY(SELECT n::permits FROM new_rows AS n); END IF;
  affected := ARRAY(SELECT DISTINCT person_id FROM (
    (SELECT id, person_id, issued_on, expires_on, revoked_on FROM unnest(removed)
     EXCEPT SELECT id, person_id, issued_on, expires_on, revoked_on FROM unnest(added))
    UNION ALL
    (SELECT id, person_id, issued_on, expires_on, revoked_on FROM unnest(added)
     EXCEPT SELECT id, person_id, issued_on, expires_on, revoked_on FROM unnest(removed))) AS changed);
  IF cardinality(affected) = 0 THEN RETURN NULL; END IF;
  people := ARRAY(SELECT p FROM persons AS p WHERE p.id = ANY (affected) AND p.category = 'floating');
  IF cardinality(people) = 0 THEN RETURN NULL; END IF;
  stays := ARRAY(SELECT r FROM residencies AS r WHERE r.person_id = ANY (affected));
  PERFORM apply_population_change(
    stays, people,
    ARRAY(SELECT m FROM permits AS m WHERE m.person_id = ANY (affected) AND m.id NOT IN (SELECT id FROM unnest(added)))
      || ARRAY(SELECT o FROM unnest(removed) AS o WHERE o.person_id = ANY (affected)),
    stays, people,
    ARRAY(SELECT m FROM permits AS m WHERE m.person_id = ANY (affected)));
  RETURN NULL;
END $$;

-- A new person has no residency yet, and one with residencies cannot be deleted: only a
-- category change moves counts.
CREATE FUNCTION grid_stats_on_person_category() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  affected bigint[];
  stays residencies[];
  held permits[];
BEGIN
  affected := ARRAY(SELECT n.id FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id WHERE o.category IS DISTINCT FROM n.category);
  IF cardinality(affected) = 0 THEN RETURN NULL; END IF;
  stays := ARRAY(SELECT r FROM residencies AS r WHERE r.person_id = ANY (affected));
  held := ARRAY(SELECT m FROM permits AS m WHERE m.person_id = ANY (affected));
  PERFORM apply_population_change(
    stays, ARRAY(SELECT o::persons FROM old_rows AS o WHERE o.id = ANY (affected)), held,
    stays, ARRAY(SELECT n::persons FROM new_rows AS n WHERE n.id = ANY (affected)), held);
  RETURN NULL;
END $$;

CREATE TRIGGER residencies_grid_stats_insert AFTER INSERT ON residencies
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION grid_stats_on_residencies();
CREATE TRIGGER residencies_grid_stats_update AFTER UPDATE ON residencies
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION grid_stats_on_residencies();
CREATE TRIGGER residencies_grid_stats_delete AFTER DELETE ON residencies
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION grid_stats_on_residencies();
CREATE TRIGGER permits_grid_stats_insert AFTER INSERT ON permits
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION grid_stats_on_permits();
CREATE TRIGGER permits_grid_stats_update AFTER UPDATE ON permits
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION grid_stats_on_permits();
CREATE TRIGGER permits_grid_stats_delete AFTER DELETE ON permits
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION grid_stats_on_permits();
CREATE TRIGGER persons_grid_stats_update AFTER UPDATE ON persons
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION grid_stats_on_person_category();

-- ---------------------------------------------------------------- cases by grid and day

CREATE FUNCTION case_grid(grid_code text, building_code text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce($1, left($2, 14)) $$;
-- A grid's cases, including those known only by their building.
CREATE INDEX cases_case_grid_idx ON cases (case_grid(grid_code, building_code));

CREATE FUNCTION case_in_rental(of_unit text, of_building text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN of_unit IS NOT NULL THEN EXISTS (SELECT 1 FROM units AS u WHERE u.code = of_unit AND u.use = 'rented')
    WHEN of_building IS NOT NULL THEN EXISTS (SELECT 1 FROM units AS u WHERE u.building_code = of_building AND u.use = 'rented')
    ELSE false END
$$;

-- One row per case with the attributes the statistics group by.
CREATE VIEW case_facts AS
  SELECT c.id, c.point, case_grid(c.grid_code, c.building_code) AS grid_code, city_day(c.occurred_at) AS day,
         c.kind, c.category, case_in_rental(c.unit_code, c.building_code) AS in_rental
  FROM cases AS c
  WHERE case_grid(c.grid_code, c.building_code) IS NOT NULL;

CREATE TABLE grid_case_daily (
  day date NOT NULL,
  grid_code text NOT NULL,
  kind text NOT NULL,
  category text NOT NULL,
  cases int NOT NULL,
  in_rental int NOT NULL,
  PRIMARY KEY (day, grid_code, kind, category)
);
CREATE INDEX grid_case_daily_grid_idx ON grid_case_daily (grid_code);

-- Recounts the cases of the given grids (null: all). A grid holds few cases, so recounting
-- it whole is cheaper than tracking what each change did.
CREATE FUNCTION recount_grid_cases(only_grids text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE 'DELETE FROM grid_case_daily WHERE $1 IS NULL OR grid_code = ANY ($1)' USING only_grids;
  EXECUTE $q$
  INSERT INTO grid_case_daily (day, grid_code, kind, category, cases, in_rental)
  SELECT day, grid_code, kind, category, count(*), count(*) FILTER (WHERE in_rental)
  FROM case_facts
  WHERE $1 IS NULL OR grid_code = ANY ($1)
  GROUP BY day, grid_code, kind, category
  $q$ USING only_grids;
END $$;

-- ---------------------------------------------------------------- units and buildings by grid

CREATE TABLE grid_unit_stats (
  grid_code text PRIMARY KEY,
  buildings int NOT NULL,
  units int NOT NULL,
  rented_units int NOT NULL,
  registered_rental_units int NOT NULL,
  rental_buildings int NOT NULL,
  signed_rental_buildings int NOT NULL
);

CREATE FUNCTION recount_grid_units(only_grids text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE 'DELETE FROM grid_unit_stats WHERE $1 IS NULL OR grid_code = ANY ($1)' USING only_grids;
  EXECUTE $q$
  INSERT INTO grid_unit_stats (grid_code, buildings, units, rented_units, registered_rental_units, rental_buildings, signed_rental_buildings)
  SELECT b.grid_code, count(*), sum(u.units), sum(u.rented), sum(u.registered_rental),
         count(*) FILTER (WHERE u.rented > 0), count(*) FILTER (WHERE u.rented > 0 AND b.responsibility_letter_signed)
  FROM buildings AS b
  CROSS JOIN LATERAL (
    SELECT count(*) AS units, count(*) FILTER (WHERE x.use = 'rented') AS rented,
           count(*) FILTER (WHERE x.use = 'rented' AND x.rental_registered) AS registered_rental
    FROM units AS x WHERE x.building_code = b.code) AS u
  WHERE b.status = 'active' AND ($1 IS NULL OR b.grid_code = ANY ($1))
  GROUP BY b.grid_code
  $q$ USING only_grids;
END $$;

CREATE FUNCTION grid_stats_on_cases() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  touched text[] := '{}';
BEGIN
  IF TG_OP <> 'INSERT' THEN touched := touched || ARRAY(SELECT case_grid(grid_code, building_code) FROM old_rows); END IF;
  IF TG_OP <> 'DELETE' THEN touched := touched || ARRAY(SELECT case_grid(grid_code, building_code) FROM new_rows); END IF;
  PERFORM recount_grid_cases(ARRAY(SELECT DISTINCT g FROM unnest(touched) AS g WHERE g IS NOT NULL));
  RETURN NULL;
END $$;

-- A unit's use decides both the unit counts and whether its building's cases are "in rental".
CREATE FUNCTION grid_stats_on_units() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  touched text[] := '{}';
BEGIN
  IF TG_OP <> 'INSERT' THEN touched := touched || ARRAY(SELECT left(building_code, 14) FROM old_rows); END IF;
  IF TG_OP <> 'DELETE' THEN touched := touched || ARRAY(SELECT left(building_code, 14) FROM new_rows); END IF;
  touched := ARRAY(SELECT DISTINCT g FROM unnest(touched) AS g);
  PERFORM recount_grid_units(touched);
  PERFORM recount_grid_cases(touched);
  RETURN NULL;
END $$;

CREATE FUNCTION grid_stats_on_buildings() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  touched text[] := '{}';
BEGIN
  IF TG_OP <> 'INSERT' THEN touched := touched || ARRAY(SELECT grid_code FROM old_rows); END IF;
  IF TG_OP <> 'DELETE' THEN touched := touched || ARRAY(SELECT grid_code FROM new_rows); END IF;
  PERFORM recount_grid_units(ARRAY(SELECT DISTINCT g FROM unnest(touched) AS g));
  RETURN NULL;
END $$;

CREATE TRIGGER cases_grid_stats_insert AFTER INSERT ON cases
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION grid_stats_on_cases();
CREATE TRIGGER cases_grid_stats_update AFTER UPDATE ON cases
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION grid_stats_on_cases();
CREATE TRIGGER cases_grid_stats_delete AFTER DELETE ON cases
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION grid_stats_on_cases();
CREATE TRIGGER units_grid_stats_insert AFTER INSERT ON units
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION grid_stats_on_units();
CREATE TRIGGER units_grid_stats_update AFTER UPDATE ON units
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION grid_stats_on_units();
CREATE TRIGGER units_grid_stats_delete AFTER DELETE ON units
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION grid_stats_on_units();
CREATE TRIGGER buildings_grid_stats_insert AFTER INSERT ON buildings
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION grid_stats_on_buildings();
CREATE TRIGGER buildings_grid_stats_update AFTER UPDATE ON buildings
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION grid_stats_on_buildings();
CREATE TRIGGER buildings_grid_stats_delete AFTER DELETE ON buildings
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION grid_stats_on_buildings();

-- ---------------------------------------------------------------- full refresh

-- Recomputes every maintained table from the base tables, set-based; for after bulk loads that
-- ran with the triggers disabled. `history_from` is the first day kept per day (default: the
-- last 1100 days).
CREATE FUNCTION refresh_grid_stats(history_from date DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  -- Measured: cost per person is lowest around 2,000 people per call.
  chunk_size CONSTANT bigint := 2000;
BEGIN
  PERFORM pg_advisory_xact_lock(grid_stats_lock_key());
  UPDATE grid_population_window
  SET first_day = least(coalesce(history_from, city_today() - 1100), city_today()), last_day = city_today();
  TRUNCATE grid_population_changes, grid_population_daily, grid_case_daily, grid_unit_stats;
  -- People are processed in id ranges so that each call works on arrays of bounded size.
  INSERT INTO grid_population_changes (grid_code, day, registered, lodging, floating, overseas, floating_registered, floating_permitted)
  SELECT d.grid_code, d.day, sum(d.registered), sum(d.lodging), sum(d.floating), sum(d.overseas),
         sum(d.floating_registered), sum(d.floating_permitted)
  FROM generate_series(0, coalesce((SELECT max(id) FROM persons), 0) / chunk_size) AS chunk
  CROSS JOIN LATERAL population_deltas(
    ARRAY(SELECT r FROM residencies AS r WHERE r.person_id >= chunk * chunk_size AND r.person_id < (chunk + 1) * chunk_size),
    ARRAY(SELECT p FROM persons AS p WHERE p.id >= chunk * chunk_size AND p.id < (chunk + 1) * chunk_size),
    ARRAY(SELECT m FROM permits AS m WHERE m.person_id >= chunk * chunk_size AND m.person_id < (chunk + 1) * chunk_size)) AS d
  GROUP BY d.grid_code, d.day
  HAVING (sum(d.registered), sum(d.lodging), sum(d.floating), sum(d.overseas), sum(d.floating_registered), sum(d.floating_permitted))
         <> (0, 0, 0, 0, 0, 0);
  -- Each grid's counts on the first kept day, then day by day to today.
  INSERT INTO grid_population_daily (day, grid_code, registered, lodging, floating, overseas, floating_registered, floating_permitted)
  SELECT w.first_day, c.grid_code,
         coalesce(sum(c.registered) FILTER (WHERE c.day <= w.first_day), 0), coalesce(sum(c.lodging) FILTER (WHERE c.day <= w.first_day), 0),
         coalesce(sum(c.floating) FILTER (WHERE c.day <= w.first_day), 0), coalesce(sum(c.overseas) FILTER (WHERE c.day <= w.first_day), 0),
         coalesce(sum(c.floating_registered) FILTER (WHERE c.day <= w.first_day), 0),
         coalesce(sum(c.floating_permitted) FILTER (WHERE c.day <= w.first_day), 0)
  FROM grid_population_changes AS c CROSS JOIN grid_population_window AS w
  GROUP BY w.first_day, c.grid_code
  ORDER BY c.grid_code;
  PERFORM carry_grid_population(first_day, last_day) FROM grid_population_window;
  PERFORM recount_grid_cases(NULL);
  PERFORM recount_grid_units(NULL);
  ANALYZE grid_population_changes;
  ANALYZE grid_population_daily;
  ANALYZE grid_case_daily;
  ANALYZE grid_unit_stats;
END $$;
