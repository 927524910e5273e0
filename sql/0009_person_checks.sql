-- 人户一致率 (DOMAIN.md): people whose registered unit matches where an inspection found them.
-- An inspection may check people: someone registered in the visited place was found there or
-- not, or someone was found there who is registered elsewhere (or nowhere). The place is the
-- inspected unit, or the building when the visit covered the whole building.
CREATE TABLE inspection_person_checks (
  inspection_id bigint NOT NULL REFERENCES inspections (id),
  person_id bigint NOT NULL REFERENCES persons (id),
  -- The inspector found the person living in the visited place.
  found_here boolean NOT NULL,
  -- The person's residency on the visit day was in the visited place (fixed when recorded:
  -- a later move must not rewrite what the visit saw).
  registered_here boolean NOT NULL,
  PRIMARY KEY (inspection_id, person_id),
  CONSTRAINT check_concerns_the_place CHECK (found_here OR registered_here)
);
CREATE INDEX inspection_person_checks_person_idx ON inspection_person_checks (person_id);
