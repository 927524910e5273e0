-- Rental houses (出租房屋) are let dwellings, not buildings (DOMAIN.md "Collector allocation"):
-- each let unit counts, and each household of a unit let to several households (分租 inside one
-- unit code) counts apart. The buildings with a let unit stay beside them as their own figure.

-- Households a unit is let to: 1 for an ordinary let unit, n when one unit is let to n households.
-- Only read for units whose use is 'rented'.
ALTER TABLE units ADD COLUMN let_households smallint NOT NULL DEFAULT 1
  CONSTRAINT let_households_range CHECK (let_households BETWEEN 1 AND 50);

-- Maintained per grid beside rented_units (let units) and rental_buildings (buildings with one):
-- Σ let_households over the let units of active buildings.
ALTER TABLE grid_unit_stats ADD COLUMN rental_houses int NOT NULL DEFAULT 0;

-- As in sql/0003_heatmaps.sql, with rental_houses; the triggers on units and buildings and
-- refresh_grid_stats() call this function, so they keep the new column too.
CREATE OR REPLACE FUNCTION recount_grid_units(only_grids text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE 'DELETE FROM grid_unit_stats WHERE $1 IS NULL OR grid_code = ANY ($1)' USING only_grids;
  EXECUTE $q$
  INSERT INTO grid_unit_stats (grid_code, buildings, units, rented_units, registered_rental_units, rental_houses,
                               rental_buildings, signed_rental_buildings)
  SELECT b.grid_code, count(*), sum(u.units), sum(u.rented), sum(u.registered_rental), sum(u.households),
         count(*) FILTER (WHERE u.rented > 0), count(*) FILTER (WHERE u.rented > 0 AND b.responsibility_letter_signed)
  FROM buildings AS b
  CROSS JOIN LATERAL (
    SELECT count(*) AS units, count(*) FILTER (WHERE x.use = 'rented') AS rented,
           count(*) FILTER (WHERE x.use = 'rented' AND x.rental_registered) AS registered_rental,
           coalesce(sum(x.let_households) FILTER (WHERE x.use = 'rented'), 0) AS households
    FROM units AS x WHERE x.building_code = b.code) AS u
  WHERE b.status = 'active' AND ($1 IS NULL OR b.grid_code = ANY ($1))
  GROUP BY b.grid_code
  $q$ USING only_grids;
END $$;

-- The units trigger fires on any UPDATE of units, so a change of let_households is recounted.
SELECT recount_grid_units(NULL);
