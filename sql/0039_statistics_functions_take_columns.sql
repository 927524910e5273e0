-- The population statistics' functions (sql/0003_heatmaps.sql, sql/0028_occupied_units.sql) took
-- whole rows of residencies, persons and permits (`residencies[]` …). Once a table is managed by
-- Citus its triggers run on its shard, whose transition tables have the shard's row type, and no
-- such function matches (docs/citus.md, step 1: "functions take column values, not whole rows").
-- They now take the columns they read, as types of their own; the triggers and the full refresh
-- build those from the rows. Same rules, same results: tests/api/heatmaps-aggregates.test.ts
-- (random writes against direct counts and a full refresh) and tests/bench/city-bulk-load.test.ts
-- (the bulk load against refresh_grid_stats()). The arrays are narrower too; the fifteenth
-- session's probe put that at ≈ 10 % of the load's changes step, but the whole step measured
-- 88.8 s with these functions against 89.3 s before (docs/scale.md): no gain to speak of.

CREATE TYPE stay_fact AS (id bigint, person_id bigint, unit_code text, moved_in date, moved_out date, registered_at date);
CREATE TYPE person_fact AS (id bigint, category text);
CREATE TYPE permit_fact AS (id bigint, person_id bigint, issued_on date, expires_on date, revoked_on date);

-- What each fact is read from, by the people or units it concerns.
CREATE FUNCTION stay_facts_of_people(people bigint[]) RETURNS stay_fact[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT ROW(r.id, r.person_id, r.unit_code, r.moved_in, r.moved_out, r.registered_at)::stay_fact
               FROM residencies AS r WHERE r.person_id = ANY (people))
$$;
CREATE FUNCTION stay_facts_of_units(unit_codes text[]) RETURNS stay_fact[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT ROW(r.id, r.person_id, r.unit_code, r.moved_in, r.moved_out, r.registered_at)::stay_fact
               FROM residencies AS r WHERE r.unit_code = ANY (unit_codes))
$$;
CREATE FUNCTION person_facts(people bigint[]) RETURNS person_fact[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT ROW(p.id, p.category)::person_fact FROM persons AS p WHERE p.id = ANY (people))
$$;
CREATE FUNCTION permit_facts_of_people(people bigint[]) RETURNS permit_fact[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT ROW(m.id, m.person_id, m.issued_on, m.expires_on, m.revoked_on)::permit_fact
               FROM permits AS m WHERE m.person_id = ANY (people))
$$;
-- The facts of the people with ids in [first_id, last_id) (the full refresh and the bulk load work in such chunks).
CREATE FUNCTION stay_facts_of_id_range(first_id bigint, last_id bigint) RETURNS stay_fact[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT ROW(r.id, r.person_id, r.unit_code, r.moved_in, r.moved_out, r.registered_at)::stay_fact
               FROM residencies AS r WHERE r.person_id >= first_id AND r.person_id < last_id)
$$;
CREATE FUNCTION person_facts_of_id_range(first_id bigint, last_id bigint) RETURNS person_fact[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT ROW(p.id, p.category)::person_fact FROM persons AS p WHERE p.id >= first_id AND p.id < last_id)
$$;
CREATE FUNCTION permit_facts_of_id_range(first_id bigint, last_id bigint) RETURNS permit_fact[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT ROW(m.id, m.person_id, m.issued_on, m.expires_on, m.revoked_on)::permit_fact
               FROM permits AS m WHERE m.person_id >= first_id AND m.person_id < last_id)
$$;

-- As in sql/0028_occupied_units.sql, over facts.
DROP FUNCTION population_deltas(residencies[], persons[], permits[]);
CREATE FUNCTION population_deltas(stays stay_fact[], people person_fact[], held permit_fact[])
RETURNS SETOF population_delta LANGUAGE plpgsql STABLE
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
         coalesce(sum(delta) FILTER (WHERE measure = 'floating_permitted'), 0)::int,
         0
  FROM edge GROUP BY edge.grid_code, edge.day;
END $$;

DROP FUNCTION occupancy_deltas(residencies[]);
CREATE FUNCTION occupancy_deltas(stays stay_fact[]) RETURNS SETOF population_delta LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN QUERY
  WITH span AS (
    SELECT r.unit_code, r.moved_in AS since, coalesce(r.moved_out, 'infinity') AS until
    FROM unnest(stays) AS r WHERE r.moved_in < coalesce(r.moved_out, 'infinity')),
  marked AS (
    SELECT unit_code, since, until, CASE WHEN since <= max(until) OVER earlier THEN 0 ELSE 1 END AS opens_stretch
    FROM span
    WINDOW earlier AS (PARTITION BY unit_code ORDER BY since, until ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)),
  stretch AS (
    SELECT unit_code, min(since) AS since, max(until) AS until
    FROM (SELECT unit_code, since, until,
                 sum(opens_stretch) OVER (PARTITION BY unit_code ORDER BY since, until ROWS UNBOUNDED PRECEDING) AS numbered
          FROM marked) AS numbered_stretches
    GROUP BY unit_code, numbered),
  edge AS (
    SELECT left(unit_code, 14) AS grid_code, since AS day, 1 AS delta FROM stretch
    UNION ALL
    SELECT left(unit_code, 14), until, -1 FROM stretch WHERE until <> 'infinity')
  SELECT edge.grid_code, edge.day, 0, 0, 0, 0, 0, 0, sum(delta)::int FROM edge GROUP BY edge.grid_code, edge.day
  HAVING sum(delta) <> 0;
END $$;

DROP FUNCTION stays_in_buildings(text[]);
CREATE FUNCTION stays_in_buildings(building_codes text[]) RETURNS stay_fact[] LANGUAGE sql STABLE AS $$
  SELECT stay_facts_of_units(ARRAY(SELECT u.code FROM units AS u WHERE u.building_code = ANY (building_codes)))
$$;

DROP FUNCTION stays_before(residencies[], residencies[], residencies[]);
CREATE FUNCTION stays_before(stays_now stay_fact[], added stay_fact[], removed stay_fact[]) RETURNS stay_fact[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY(SELECT r FROM unnest(stays_now) AS r WHERE r.id NOT IN (SELECT a.id FROM unnest(added) AS a)) || removed
$$;

DROP FUNCTION apply_population_change(residencies[], persons[], permits[], residencies[], persons[], permits[]);
CREATE FUNCTION apply_population_change(
  before_stays stay_fact[], before_people person_fact[], before_held permit_fact[],
  after_stays stay_fact[], after_people person_fact[], after_held permit_fact[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM apply_grid_changes(net_deltas(
    ARRAY(SELECT d::population_delta FROM population_deltas(after_stays, after_people, after_held) AS d),
    ARRAY(SELECT d::population_delta FROM population_deltas(before_stays, before_people, before_held) AS d)));
END $$;

-- The triggers: their transition tables' rows as facts (by column name, whatever the row type).
CREATE OR REPLACE FUNCTION grid_stats_on_residencies() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  removed stay_fact[] := '{}';
  added stay_fact[] := '{}';
  affected bigint[];
  units_touched text[];
  people person_fact[];
  held permit_fact[];
  stays_now stay_fact[];
  stays_then stay_fact[];
  unit_stays_now stay_fact[];
  unit_stays_then stay_fact[];
BEGIN
  IF TG_OP <> 'INSERT' THEN
    removed := ARRAY(SELECT ROW(o.id, o.person_id, o.unit_code, o.moved_in, o.moved_out, o.registered_at)::stay_fact FROM old_rows AS o);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    added := ARRAY(SELECT ROW(n.id, n.person_id, n.unit_code, n.moved_in, n.moved_out, n.registered_at)::stay_fact FROM new_rows AS n);
  END IF;
  -- Rows an UPDATE left the same in every counted column change nothing.
  SELECT array_agg(DISTINCT person_id), array_agg(DISTINCT unit_code) INTO affected, units_touched FROM (
    (SELECT * FROM unnest(removed) EXCEPT SELECT * FROM unnest(added))
    UNION ALL
    (SELECT * FROM unnest(added) EXCEPT SELECT * FROM unnest(removed))) AS changed;
  IF affected IS NULL THEN RETURN NULL; END IF;
  people := person_facts(affected);
  held := permit_facts_of_people(affected);
  stays_now := stay_facts_of_people(affected);
  stays_then := stays_before(stays_now, added, ARRAY(SELECT o FROM unnest(removed) AS o WHERE o.person_id = ANY (affected)));
  units_touched := counted_units(units_touched);
  unit_stays_now := stay_facts_of_units(units_touched);
  unit_stays_then := stays_before(unit_stays_now, added, ARRAY(SELECT o FROM unnest(removed) AS o WHERE o.unit_code = ANY (units_touched)));
  PERFORM apply_grid_changes(net_deltas(
    ARRAY(SELECT d::population_delta FROM population_deltas(stays_now, people, held) AS d)
      || ARRAY(SELECT d::population_delta FROM occupancy_deltas(unit_stays_now) AS d),
    ARRAY(SELECT d::population_delta FROM population_deltas(stays_then, people, held) AS d)
      || ARRAY(SELECT d::population_delta FROM occupancy_deltas(unit_stays_then) AS d)));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION grid_stats_on_permits() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  removed permit_fact[] := '{}';
  added permit_fact[] := '{}';
  affected bigint[];
  people person_fact[];
  stays stay_fact[];
BEGIN
  IF TG_OP <> 'INSERT' THEN
    removed := ARRAY(SELECT ROW(o.id, o.person_id, o.issued_on, o.expires_on, o.revoked_on)::permit_fact FROM old_rows AS o);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    added := ARRAY(SELECT ROW(n.id, n.person_id, n.issued_on, n.expires_on, n.revoked_on)::permit_fact FROM new_rows AS n);
  END IF;
  affected := ARRAY(SELECT DISTINCT person_id FROM (
    (SELECT * FROM unnest(removed) EXCEPT SELECT * FROM unnest(added))
    UNION ALL
    (SELECT * FROM unnest(added) EXCEPT SELECT * FROM unnest(removed))) AS changed);
  IF cardinality(affected) = 0 THEN RETURN NULL; END IF;
  people := ARRAY(SELECT p FROM unnest(person_facts(affected)) AS p WHERE p.category = 'floating');
  IF cardinality(people) = 0 THEN RETURN NULL; END IF;
  stays := stay_facts_of_people(affected);
  PERFORM apply_population_change(
    stays, people,
    ARRAY(SELECT m FROM unnest(permit_facts_of_people(affected)) AS m WHERE m.id NOT IN (SELECT id FROM unnest(added)))
      || ARRAY(SELECT o FROM unnest(removed) AS o WHERE o.person_id = ANY (affected)),
    stays, people,
    permit_facts_of_people(affected));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION grid_stats_on_person_category() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  affected bigint[];
  stays stay_fact[];
  held permit_fact[];
BEGIN
  affected := ARRAY(SELECT n.id FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id WHERE o.category IS DISTINCT FROM n.category);
  IF cardinality(affected) = 0 THEN RETURN NULL; END IF;
  stays := stay_facts_of_people(affected);
  held := permit_facts_of_people(affected);
  PERFORM apply_population_change(
    stays, ARRAY(SELECT ROW(o.id, o.category)::person_fact FROM old_rows AS o WHERE o.id = ANY (affected)), held,
    stays, ARRAY(SELECT ROW(n.id, n.category)::person_fact FROM new_rows AS n WHERE n.id = ANY (affected)), held);
  RETURN NULL;
END $$;

-- The full refresh's body (sql/0028, renamed by sql/0036), its chunks as facts.
CREATE OR REPLACE FUNCTION refresh_grid_stats_rows(history_from date DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  -- Measured: cost per person is lowest around 2,000 people per call.
  chunk_size CONSTANT bigint := 2000;
BEGIN
  PERFORM pg_advisory_xact_lock(grid_stats_lock_key());
  UPDATE grid_population_window
  SET first_day = least(coalesce(history_from, city_today() - 1100), city_today()), last_day = city_today();
  TRUNCATE grid_population_changes, grid_population_daily, grid_case_daily, grid_unit_stats;
  -- People are processed in id ranges so that each call works on arrays of bounded size.
  INSERT INTO grid_population_changes
  SELECT d.grid_code, d.day, sum(d.registered), sum(d.lodging), sum(d.floating), sum(d.overseas),
         sum(d.floating_registered), sum(d.floating_permitted), sum(d.occupied_units)
  FROM (SELECT of_people.* FROM generate_series(0, coalesce((SELECT max(id) FROM persons), 0) / chunk_size) AS chunk
        CROSS JOIN LATERAL population_deltas(
          stay_facts_of_id_range(chunk * chunk_size, (chunk + 1) * chunk_size),
          person_facts_of_id_range(chunk * chunk_size, (chunk + 1) * chunk_size),
          permit_facts_of_id_range(chunk * chunk_size, (chunk + 1) * chunk_size)) AS of_people
        UNION ALL
        SELECT * FROM occupancy_changes_of_grids(NULL, NULL)) AS d
  GROUP BY d.grid_code, d.day
  HAVING (sum(d.registered), sum(d.lodging), sum(d.floating), sum(d.overseas), sum(d.floating_registered), sum(d.floating_permitted),
          sum(d.occupied_units)) <> (0, 0, 0, 0, 0, 0, 0);
  -- Each grid's counts on the first kept day, then day by day to today.
  INSERT INTO grid_population_daily
    (day, grid_code, registered, lodging, floating, overseas, floating_registered, floating_permitted, occupied_units)
  SELECT w.first_day, c.grid_code,
         coalesce(sum(c.registered) FILTER (WHERE c.day <= w.first_day), 0), coalesce(sum(c.lodging) FILTER (WHERE c.day <= w.first_day), 0),
         coalesce(sum(c.floating) FILTER (WHERE c.day <= w.first_day), 0), coalesce(sum(c.overseas) FILTER (WHERE c.day <= w.first_day), 0),
         coalesce(sum(c.floating_registered) FILTER (WHERE c.day <= w.first_day), 0),
         coalesce(sum(c.floating_permitted) FILTER (WHERE c.day <= w.first_day), 0),
         coalesce(sum(c.occupied_units) FILTER (WHERE c.day <= w.first_day), 0)
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
