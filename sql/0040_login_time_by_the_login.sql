-- The login time (sql/0007) was set by a trigger on sessions. On Citus a trigger runs on the
-- table's shards and cannot write another table (docs/citus.md, step 1), so the login writes it
-- itself, in the statement that opens the session (server/auth/repository.ts insertSession).
DROP TRIGGER sessions_note_login ON sessions;
DROP FUNCTION users_note_login();
