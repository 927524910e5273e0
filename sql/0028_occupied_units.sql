-- Occupied units kept per grid and day (issue 18): the occupancy rate (住房入住率, DOMAIN.md) of a
-- whole city counted units with an EXISTS over residencies for each of 9 million units, and timed
-- out. It is now one more measure of the population statistics of sql/0003_heatmaps.sql, read
-- like the others: at most one row per grid.
--
-- Counting rule: a unit is occupied on day d when at least one residency of it counts on d
-- (moved_in <= d < moved_out, or no move-out); only units of buildings that are active now count
-- (units and buildings have no history, as for the unit statistics). Each unit adds +1 to its
-- grid on the first day of each stretch of days it is occupied and -1 on the first day after.

-- The backfill at the end reads every residency: minutes at city scale, past the server's
-- statement timeout (the migrator runs each file in one transaction, so this lasts for it only).
SET LOCAL statement_timeout = 0;

ALTER TYPE population_delta ADD ATTRIBUTE occupied_units int;
ALTER TABLE grid_population_changes ADD COLUMN occupied_units int NOT NULL DEFAULT 0;
ALTER TABLE grid_population_daily ADD COLUMN occupied_units int NOT NULL DEFAULT 0;

-- As in sql/0003_heatmaps.sql; people say nothing about occupancy (occupancy_deltas does).
CREATE OR REPLACE FUNCTION population_deltas(stays residencies[], people persons[], held permits[])
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

-- What a set of units contributes to occupied_units, given every residency of those units: the
-- stays of each unit merged into stretches of occupied days (stays that touch or overlap merge).
CREATE FUNCTION occupancy_deltas(stays residencies[]) RETURNS SETOF population_delta LANGUAGE plpgsql STABLE AS $$
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

-- Every residency of the units of these buildings (for a building that starts or stops counting).
CREATE FUNCTION stays_in_buildings(building_codes text[]) RETURNS residencies[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT r FROM units AS u JOIN residencies AS r ON r.unit_code = u.code WHERE u.building_code = ANY (building_codes))
$$;

-- The net change from one state's deltas to another's (after − before), rows netting to zero dropped.
CREATE FUNCTION net_deltas(after_state population_delta[], before_state population_delta[]) RETURNS population_delta[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY(
    SELECT ROW(grid_code, day, sum(registered), sum(lodging), sum(floating), sum(overseas),
               sum(floating_registered), sum(floating_permitted), sum(occupied_units))::population_delta
    FROM (SELECT * FROM unnest(after_state)
          UNION ALL
          SELECT grid_code, day, -registered, -lodging, -floating, -overseas, -floating_registered, -floating_permitted, -occupied_units
          FROM unnest(before_state)) AS both_states
    GROUP BY grid_code, day
    HAVING (sum(registered), sum(lodging), sum(floating), sum(overseas), sum(floating_registered), sum(floating_permitted), sum(occupied_units))
           <> (0, 0, 0, 0, 0, 0, 0))
$$;

-- Adds net changes to grid_population_changes and to the kept daily rows from their day on
-- (the body of sql/0003's apply_population_change, with occupied_units).
CREATE FUNCTION apply_grid_changes(difference population_delta[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  last_kept date;
  unmaterialized text[];
BEGIN
  IF cardinality(difference) = 0 THEN RETURN; END IF;
  PERFORM pg_advisory_xact_lock_shared(grid_stats_lock_key());

  INSERT INTO grid_population_changes AS c SELECT * FROM unnest(difference)
  ON CONFLICT (grid_code, day) DO UPDATE SET
    registered = c.registered + excluded.registered, lodging = c.lodging + excluded.lodging,
    floating = c.floating + excluded.floating, overseas = c.overseas + excluded.overseas,
    floating_registered = c.floating_registered + excluded.floating_registered,
    floating_permitted = c.floating_permitted + excluded.floating_permitted,
    occupied_units = c.occupied_units + excluded.occupied_units;
  DELETE FROM grid_population_changes AS c
  USING unnest(difference) AS x
  WHERE c.grid_code = x.grid_code AND c.day = x.day
    AND (c.registered, c.lodging, c.floating, c.overseas, c.floating_registered, c.floating_permitted, c.occupied_units)
        = (0, 0, 0, 0, 0, 0, 0);

  UPDATE grid_population_daily AS d SET
    registered = d.registered + s.registered, lodging = d.lodging + s.lodging, floating = d.floating + s.floating,
    overseas = d.overseas + s.overseas, floating_registered = d.floating_registered + s.floating_registered,
    floating_permitted = d.floating_permitted + s.floating_permitted, occupied_units = d.occupied_units + s.occupied_units
  FROM (SELECT k.day, k.grid_code, sum(x.registered) AS registered, sum(x.lodging) AS lodging, sum(x.floating) AS floating,
               sum(x.overseas) AS overseas, sum(x.floating_registered) AS floating_registered,
               sum(x.floating_permitted) AS floating_permitted, sum(x.occupied_units) AS occupied_units
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

CREATE OR REPLACE FUNCTION apply_population_change(
  before_stays residencies[], before_people persons[], before_held permits[],
  after_stays residencies[], after_people persons[], after_held permits[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM apply_grid_changes(net_deltas(
    ARRAY(SELECT d::population_delta FROM population_deltas(after_stays, after_people, after_held) AS d),
    ARRAY(SELECT d::population_delta FROM population_deltas(before_stays, before_people, before_held) AS d)));
END $$;

CREATE OR REPLACE FUNCTION materialize_grid_population(only_grids text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM grid_population_daily WHERE grid_code = ANY (only_grids);
  INSERT INTO grid_population_daily (day, grid_code, registered, lodging, floating, overseas, floating_registered, floating_permitted, occupied_units)
  WITH span AS (SELECT first_day, last_day FROM grid_population_window),
  opening AS (
    SELECT c.grid_code, sum(c.registered) AS registered, sum(c.lodging) AS lodging, sum(c.floating) AS floating,
           sum(c.overseas) AS overseas, sum(c.floating_registered) AS floating_registered, sum(c.floating_permitted) AS floating_permitted,
           sum(c.occupied_units) AS occupied_units
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
         (coalesce(o.floating_permitted, 0) + sum(coalesce(c.floating_permitted, 0)) OVER running)::int,
         (coalesce(o.occupied_units, 0) + sum(coalesce(c.occupied_units, 0)) OVER running)::int
  FROM calendar AS k
  LEFT JOIN grid_population_changes AS c ON c.grid_code = k.grid_code AND c.day = k.day
  LEFT JOIN opening AS o ON o.grid_code = k.grid_code
  WINDOW running AS (PARTITION BY k.grid_code ORDER BY k.day ROWS UNBOUNDED PRECEDING)
  -- In day order, as carry_grid_population() writes them: a day's rows then lie together, which
  -- is what reads of one day want (this migration's backfill rewrites every grid's rows).
  ORDER BY k.day, k.grid_code;
END $$;

CREATE OR REPLACE FUNCTION carry_grid_population(from_day date, until date) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  FOR day_offset IN 1 .. until - from_day LOOP
    INSERT INTO grid_population_daily (day, grid_code, registered, lodging, floating, overseas, floating_registered, floating_permitted, occupied_units)
    SELECT from_day + day_offset, p.grid_code,
           p.registered + coalesce(c.registered, 0), p.lodging + coalesce(c.lodging, 0), p.floating + coalesce(c.floating, 0),
           p.overseas + coalesce(c.overseas, 0), p.floating_registered + coalesce(c.floating_registered, 0),
           p.floating_permitted + coalesce(c.floating_permitted, 0), p.occupied_units + coalesce(c.occupied_units, 0)
    FROM grid_population_daily AS p
    LEFT JOIN grid_population_changes AS c ON c.grid_code = p.grid_code AND c.day = from_day + day_offset
    WHERE p.day = from_day + day_offset - 1
    ORDER BY p.grid_code;
  END LOOP;
END $$;

-- The units among these whose building is active now: only they count as occupied or not.
CREATE FUNCTION counted_units(unit_codes text[]) RETURNS text[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT u.code FROM units AS u JOIN buildings AS b ON b.code = u.building_code
               WHERE u.code = ANY (unit_codes) AND b.status = 'active')
$$;

-- A state before a statement: the rows now, less those the statement added, plus those it removed.
CREATE FUNCTION stays_before(stays_now residencies[], added residencies[], removed residencies[]) RETURNS residencies[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY(SELECT r FROM unnest(stays_now) AS r WHERE r.id NOT IN (SELECT a.id FROM unnest(added) AS a)) || removed
$$;

-- As in sql/0003_heatmaps.sql, and the occupancy of the units whose residencies changed: the
-- population and occupancy differences go to the kept tables in one pass.
CREATE OR REPLACE FUNCTION grid_stats_on_residencies() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  removed residencies[] := '{}';
  added residencies[] := '{}';
  affected bigint[];
  units_touched text[];
  people persons[];
  held permits[];
  stays_now residencies[];
  stays_then residencies[];
  unit_stays_now residencies[];
  unit_stays_then residencies[];
BEGIN
  IF TG_OP <> 'INSERT' THEN removed := ARRAY(SELECT o::residencies FROM old_rows AS o); END IF;
  IF TG_OP <> 'DELETE' THEN added := ARRAY(SELECT n::residencies FROM new_rows AS n); END IF;
  -- Rows an UPDATE left the same in every counted column change nothing.
  SELECT array_agg(DISTINCT person_id), array_agg(DISTINCT unit_code) INTO affected, units_touched FROM (
    (SELECT id, person_id, unit_code, moved_in, moved_out, registered_at FROM unnest(removed)
     EXCEPT SELECT id, person_id, unit_code, moved_in, moved_out, registered_at FROM unnest(added))
    UNION ALL
    (SELECT id, person_id, unit_code, moved_in, moved_out, registered_at FROM unnest(added)
     EXCEPT SELECT id, person_id, unit_code, moved_in, moved_out, registered_at FROM unnest(removed))) AS changed;
  IF affected IS NULL THEN RETURN NULL; END IF;
  people := ARRAY(SELECT p FROM persons AS p WHERE p.id = ANY (affected));
  held := ARRAY(SELECT m FROM permits AS m WHERE m.person_id = ANY (affected));
  stays_now := ARRAY(SELECT r FROM residencies AS r WHERE r.person_id = ANY (affected));
  stays_then := stays_before(stays_now, added, ARRAY(SELECT o FROM unnest(removed) AS o WHERE o.person_id = ANY (affected)));
  units_touched := counted_units(units_touched);
  unit_stays_now := ARRAY(SELECT r FROM residencies AS r WHERE r.unit_code = ANY (units_touched));
  unit_stays_then := stays_before(unit_stays_now, added, ARRAY(SELECT o FROM unnest(removed) AS o WHERE o.unit_code = ANY (units_touched)));
  PERFORM apply_grid_changes(net_deltas(
    ARRAY(SELECT d::population_delta FROM population_deltas(stays_now, people, held) AS d)
      || ARRAY(SELECT d::population_delta FROM occupancy_deltas(unit_stays_now) AS d),
    ARRAY(SELECT d::population_delta FROM population_deltas(stays_then, people, held) AS d)
      || ARRAY(SELECT d::population_delta FROM occupancy_deltas(unit_stays_then) AS d)));
  RETURN NULL;
END $$;

-- As in sql/0003_heatmaps.sql, and a building that starts or stops being active brings its units'
-- occupancy into its grid's figures or takes it out, for every day.
CREATE OR REPLACE FUNCTION grid_stats_on_buildings() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  touched text[] := '{}';
  now_active text[] := '{}';
  no_longer_active text[] := '{}';
BEGIN
  IF TG_OP <> 'INSERT' THEN touched := touched || ARRAY(SELECT grid_code FROM old_rows); END IF;
  IF TG_OP <> 'DELETE' THEN touched := touched || ARRAY(SELECT grid_code FROM new_rows); END IF;
  PERFORM recount_grid_units(ARRAY(SELECT DISTINCT g FROM unnest(touched) AS g));
  -- A new building has no units yet and a deleted one none left: only an update moves occupancy.
  IF TG_OP = 'UPDATE' THEN
    now_active := ARRAY(SELECT n.code FROM new_rows AS n JOIN old_rows AS o ON o.code = n.code
                        WHERE n.status = 'active' AND o.status <> 'active');
    no_longer_active := ARRAY(SELECT o.code FROM old_rows AS o JOIN new_rows AS n ON n.code = o.code
                              WHERE o.status = 'active' AND n.status <> 'active');
    PERFORM apply_grid_changes(net_deltas(
      ARRAY(SELECT d::population_delta FROM occupancy_deltas(stays_in_buildings(now_active)) AS d),
      ARRAY(SELECT d::population_delta FROM occupancy_deltas(stays_in_buildings(no_longer_active)) AS d)));
  END IF;
  RETURN NULL;
END $$;

-- The occupancy changes of every unit of the grids first_grid … last_grid (null: no bound), grid
-- by grid so that each call works on a bounded array; for the full refresh, the bulk load
-- (server/demo/city/bulk-statistics.ts) and this migration's backfill. Units of buildings not
-- active are left out.
CREATE FUNCTION occupancy_changes_of_grids(first_grid text, last_grid text) RETURNS SETOF population_delta LANGUAGE sql STABLE AS $$
  SELECT d.*
  FROM grids AS g
  CROSS JOIN LATERAL occupancy_deltas(stays_in_buildings(
    ARRAY(SELECT b.code FROM buildings AS b WHERE b.grid_code = g.code AND b.status = 'active'))) AS d
  WHERE (first_grid IS NULL OR g.code >= first_grid) AND (last_grid IS NULL OR g.code <= last_grid)
$$;

-- As in sql/0003_heatmaps.sql, with occupied units.
CREATE OR REPLACE FUNCTION refresh_grid_stats(history_from date DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
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
          ARRAY(SELECT r FROM residencies AS r WHERE r.person_id >= chunk * chunk_size AND r.person_id < (chunk + 1) * chunk_size),
          ARRAY(SELECT p FROM persons AS p WHERE p.id >= chunk * chunk_size AND p.id < (chunk + 1) * chunk_size),
          ARRAY(SELECT m FROM permits AS m WHERE m.person_id >= chunk * chunk_size AND m.person_id < (chunk + 1) * chunk_size)) AS of_people
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

-- The backfill: every unit's occupancy added to the changes kept so far, the daily rows rebuilt.
INSERT INTO grid_population_changes AS c SELECT * FROM occupancy_changes_of_grids(NULL, NULL)
ON CONFLICT (grid_code, day) DO UPDATE SET occupied_units = c.occupied_units + excluded.occupied_units;
SELECT materialize_grid_population(ARRAY(SELECT DISTINCT grid_code FROM grid_population_changes));
