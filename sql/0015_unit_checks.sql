-- Units a collector should visit because the register changed under them (issue 15.4):
-- 'unregistered_rental': a floating tenant moved into a unit marked vacant (空置), now let but not registered;
-- 'use_changed': the owner's household moved into a vacant unit, now self-occupied;
-- 'emptied': its last occupant left, so its use is no longer known.
-- Listed to the collector beside the overdue visits (GET /api/rentals/overdue, unitsToCheck). NULL: nothing to check.
ALTER TABLE units ADD COLUMN to_check text
  CONSTRAINT unit_to_check_reason CHECK (to_check IN ('unregistered_rental', 'use_changed', 'emptied'));
ALTER TABLE units ADD COLUMN to_check_since date;
CREATE INDEX units_to_check_idx ON units (building_code) WHERE to_check IS NOT NULL;
