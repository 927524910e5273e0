-- Residence registration workflow (人屋对应): lateness flags on residencies, indexes for the
-- building drill-down and the per-grid reports, and the residence permit settings.

-- Under-16s are registered with their household but carry no registration duty of their own
-- (server/domain/registration-rules.ts isRegistrationExempt decides it when the row is written).
ALTER TABLE residencies ADD COLUMN registration_exempt boolean NOT NULL DEFAULT false;

-- Registered more than 7 days after moving in (REGISTRATION_DEADLINE_DAYS). Stored, so that the
-- per-grid report reads a partial index instead of recomputing over the grid's history.
ALTER TABLE residencies ADD COLUMN registered_late boolean
  GENERATED ALWAYS AS (NOT registration_exempt AND registered_at - moved_in > 7) STORED;

-- A departure that was never deregistered (closed by a collector who found the person gone)
-- or deregistered more than 7 days after the move-out: "走有注销" was not honoured.
ALTER TABLE residencies ADD COLUMN departure_unregistered boolean
  GENERATED ALWAYS AS (moved_out IS NOT NULL AND NOT registration_exempt
    AND (deregistered_at IS NULL OR deregistered_at - moved_out > 7)) STORED;

-- Current occupants of a unit (drill-down, unit occupants, expiring permits of a grid's residents).
CREATE INDEX residencies_current_by_unit_idx ON residencies (unit_code) INCLUDE (person_id) WHERE moved_out IS NULL;
CREATE INDEX residencies_registered_late_idx ON residencies (unit_code) WHERE registered_late;
CREATE INDEX residencies_departure_unregistered_idx ON residencies (unit_code) WHERE departure_unregistered;

-- Reads of person data are audited one row per request, listing the people shown in
-- details.personIds (server/registrations/visibility.ts auditPersonReads). This answers
-- "who looked at person X": WHERE details -> 'personIds' @> '[X]'.
CREATE INDEX audit_log_person_ids_idx ON audit_log USING gin ((details -> 'personIds') jsonb_path_ops);

-- Numbers printed on newly issued residence permits: JZZ + 10 digits.
CREATE SEQUENCE permit_number_seq;

-- Validity periods and renewal window; a city on 1/3/5 years edits this row.
INSERT INTO settings (key, value) VALUES ('permits', '{"allowedYears": [1, 2, 3], "renewalWindowDays": 30}')
ON CONFLICT (key) DO NOTHING;
