-- User administration (server/users): when each account last logged in, for the admin's list.
ALTER TABLE users ADD COLUMN last_login_at timestamptz;

-- Every successful login opens exactly one session, so the session's creation is the login time.
-- Recording it here keeps the login path (server/auth) free of bookkeeping it does not need.
CREATE OR REPLACE FUNCTION users_note_login() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE users SET last_login_at = NEW.created_at WHERE id = NEW.user_id;
  RETURN NULL;
END $$;

CREATE TRIGGER sessions_note_login AFTER INSERT ON sessions
  FOR EACH ROW EXECUTE FUNCTION users_note_login();
