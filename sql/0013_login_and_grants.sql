-- Login hardening and separation of duties (issue 14, items 8 and 9).

-- The per-account lockout (5 failures → 15 minutes, even against the right password) let anyone
-- lock every officer out and told which usernames exist. Failed logins are now slowed per
-- (account, address) and per address by the server (server/auth/login-throttle.ts).
ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;

-- A password an administrator chose (new account or reset) is known to two people: the user must
-- replace it before the account can do anything else.
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

-- An account created with a role that needs a second person's approval cannot log in until approved.
ALTER TABLE users ADD COLUMN awaiting_approval boolean NOT NULL DEFAULT false;

-- Two-person grants (等保 三员分立): giving an account a role that reads person data (police,
-- collector) or approves grants (admin), or widening such an account's jurisdiction, is stored
-- here and takes effect only when a second person approves it. The row keeps who asked, who
-- decided and when, for the auditor.
CREATE TABLE role_grants (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id),
  -- 'create': the account was created with this assignment; 'change': an existing account's assignment changes
  kind text NOT NULL CHECK (kind IN ('create', 'change')),
  role text NOT NULL,
  jurisdiction text[] NOT NULL,
  collector_id bigint REFERENCES collectors (id),
  previous_role text,
  previous_jurisdiction text[],
  requested_by bigint NOT NULL REFERENCES users (id),
  requested_at timestamptz NOT NULL DEFAULT now(),
  -- 'superseded': a later change of the same account replaced the request before anyone decided
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'superseded')),
  decided_by bigint REFERENCES users (id),
  decided_at timestamptz,
  CONSTRAINT role_grant_decision_complete CHECK ((status = 'pending') = (decided_at IS NULL) AND (status = 'pending') = (decided_by IS NULL)),
  -- Said in the database as well as in the service: nobody approves their own request or their own access.
  CONSTRAINT role_grant_second_person CHECK (status <> 'approved' OR (decided_by <> requested_by AND decided_by <> user_id))
);
CREATE UNIQUE INDEX role_grants_one_pending ON role_grants (user_id) WHERE status = 'pending';
CREATE INDEX role_grants_requested_at_idx ON role_grants (requested_at);
