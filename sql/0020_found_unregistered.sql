-- 居住登记率 (DOMAIN.md, issue 15.7): the register alone cannot show who lives in the city
-- unregistered — every residency row is a registration. A collector's visit can: a person check
-- (sql/0009_person_checks.sql) with found_here and not registered_here records someone found
-- living in the visited place who was registered there on no stay. Those people belong in the
-- rate's denominator ("should be registered"), never in its numerator.
--
-- Found unregistered on day d: a floating person
--   * whose latest check that found them living somewhere, in the 365 days ending d, found them
--     unregistered there (a later visit that found them registered settles it);
--   * who has no residency covering d (one registered late is counted already, as a floating
--     resident of d not yet registered on d);
--   * who has no residency registered on or before d that was still open after that visit (a
--     stay registered after the visit and since ended: the register knew them, they have left).
-- They are counted where the visit found them: the visited building and its grid.
CREATE FUNCTION found_unregistered_on(d date)
RETURNS TABLE (person_id bigint, building_code text, grid_code text, visited_on date)
LANGUAGE sql STABLE AS $$
  SELECT latest.person_id, latest.building_code, left(latest.building_code, 14), latest.visited_on
  FROM (SELECT DISTINCT ON (c.person_id) c.person_id, c.registered_here, i.building_code, i.visited_on
        FROM inspection_person_checks AS c JOIN inspections AS i ON i.id = c.inspection_id
        WHERE c.found_here AND i.visited_on BETWEEN d - 364 AND d
        ORDER BY c.person_id, i.visited_on DESC, i.id DESC) AS latest
  JOIN persons AS p ON p.id = latest.person_id AND p.category = 'floating'
  WHERE NOT latest.registered_here
    AND NOT EXISTS (
      SELECT 1 FROM residencies AS r WHERE r.person_id = latest.person_id
        AND r.moved_in <= d AND (r.moved_out IS NULL OR r.moved_out > d))
    AND NOT EXISTS (
      SELECT 1 FROM residencies AS r WHERE r.person_id = latest.person_id
        AND r.registered_at <= d AND (r.moved_out IS NULL OR r.moved_out > latest.visited_on))
$$;

-- The inspections behind a day's count, found by date.
CREATE INDEX IF NOT EXISTS inspections_visited_on_idx ON inspections (visited_on);

-- Cached heatmap responses (sql/0008_analytics_version.sql) now also read visits, their person
-- checks and people's categories directly: a change to them is a change to the figures.
DO $$
DECLARE
  watched text;
BEGIN
  FOREACH watched IN ARRAY ARRAY['inspections', 'inspection_person_checks', 'persons', 'residencies'] LOOP
    EXECUTE format(
      'CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION note_analytics_change()',
      watched || '_note_analytics_change', watched);
  END LOOP;
END $$;
