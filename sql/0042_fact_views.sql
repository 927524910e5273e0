-- sql/0039 built each fact (stay_fact, person_fact, permit_fact) from its table in every function
-- that reads one, the same ROW(...) list each time. One view per fact builds it once; the
-- functions differ only in which rows they take. Views are inlined by the planner: the same plans
-- (the Shenzhen statistics rebuilt with these functions gave the same checksums, docs/scale.md).
-- The triggers' transition tables still build their own (a view cannot read a transition table).

CREATE VIEW stay_fact_rows AS
  SELECT r.person_id, r.unit_code, ROW(r.id, r.person_id, r.unit_code, r.moved_in, r.moved_out, r.registered_at)::stay_fact AS fact
  FROM residencies AS r;
CREATE VIEW person_fact_rows AS
  SELECT p.id AS person_id, ROW(p.id, p.category)::person_fact AS fact FROM persons AS p;
CREATE VIEW permit_fact_rows AS
  SELECT m.person_id, ROW(m.id, m.person_id, m.issued_on, m.expires_on, m.revoked_on)::permit_fact AS fact
  FROM permits AS m;

CREATE OR REPLACE FUNCTION stay_facts_of_people(people bigint[]) RETURNS stay_fact[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT s.fact FROM stay_fact_rows AS s WHERE s.person_id = ANY (people))
$$;
CREATE OR REPLACE FUNCTION stay_facts_of_units(unit_codes text[]) RETURNS stay_fact[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT s.fact FROM stay_fact_rows AS s WHERE s.unit_code = ANY (unit_codes))
$$;
CREATE OR REPLACE FUNCTION stay_facts_of_id_range(first_id bigint, last_id bigint) RETURNS stay_fact[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT s.fact FROM stay_fact_rows AS s WHERE s.person_id >= first_id AND s.person_id < last_id)
$$;
CREATE OR REPLACE FUNCTION person_facts(people bigint[]) RETURNS person_fact[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT p.fact FROM person_fact_rows AS p WHERE p.person_id = ANY (people))
$$;
CREATE OR REPLACE FUNCTION person_facts_of_id_range(first_id bigint, last_id bigint) RETURNS person_fact[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT p.fact FROM person_fact_rows AS p WHERE p.person_id >= first_id AND p.person_id < last_id)
$$;
CREATE OR REPLACE FUNCTION permit_facts_of_people(people bigint[]) RETURNS permit_fact[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT m.fact FROM permit_fact_rows AS m WHERE m.person_id = ANY (people))
$$;
CREATE OR REPLACE FUNCTION permit_facts_of_id_range(first_id bigint, last_id bigint) RETURNS permit_fact[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT m.fact FROM permit_fact_rows AS m WHERE m.person_id >= first_id AND m.person_id < last_id)
$$;
