-- Issue #20, docs/citus.md step 1: the permits carry no trigger. grid_stats_on_permits (sql/0003,
-- sql/0039) moved a floating person's permitted count where a statement changed their permits'
-- facts; permits_written(before, after) does the same over the facts their writers hand it in the
-- same transaction: a permit issued or revoked (server/permits/repository.ts; a renewal marks the
-- old permit's status only, which no figure reads), the fixtures, a correction by hand (README,
-- "Editing by hand").
CREATE OR REPLACE VIEW permit_fact_rows AS
  SELECT m.person_id, ROW(m.id, m.person_id, m.issued_on, m.expires_on, m.revoked_on)::permit_fact AS fact, m.id
  FROM permits AS m;
CREATE FUNCTION permit_facts_of(permit_ids bigint[]) RETURNS permit_fact[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT f.fact FROM permit_fact_rows AS f WHERE f.id = ANY (permit_ids))
$$;

-- The trigger's body: the people whose permits' facts changed, if floating, counted again from
-- their permits before (those now, less the ones written, plus the ones as they were) to after.
CREATE FUNCTION permits_written(before permit_fact[], after permit_fact[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  affected bigint[];
  people person_fact[];
  stays stay_fact[];
BEGIN
  affected := ARRAY(SELECT DISTINCT person_id FROM (
    (SELECT * FROM unnest(before) EXCEPT SELECT * FROM unnest(after))
    UNION ALL
    (SELECT * FROM unnest(after) EXCEPT SELECT * FROM unnest(before))) AS changed);
  IF cardinality(affected) = 0 THEN RETURN; END IF;
  people := ARRAY(SELECT p FROM unnest(person_facts(affected)) AS p WHERE p.category = 'floating');
  IF cardinality(people) = 0 THEN RETURN; END IF;
  stays := stay_facts_of_people(affected);
  PERFORM apply_population_change(
    stays, people,
    ARRAY(SELECT m FROM unnest(permit_facts_of_people(affected)) AS m WHERE m.id NOT IN (SELECT id FROM unnest(after)))
      || ARRAY(SELECT o FROM unnest(before) AS o WHERE o.person_id = ANY (affected)),
    stays, people,
    permit_facts_of_people(affected));
END $$;

DROP TRIGGER permits_grid_stats_insert ON permits;
DROP TRIGGER permits_grid_stats_update ON permits;
DROP TRIGGER permits_grid_stats_delete ON permits;
DROP FUNCTION grid_stats_on_permits();
