-- The audit chain becomes keyed (HMAC-SHA256), so that whoever can write the table but does not
-- hold the key (the database owner, a DBA, someone with the server's database password) cannot
-- re-chain edited rows into a chain that verifies. See docs/audit.md.
--
-- The key lives only in the server's environment (AUDIT_HMAC_KEY). Each of the server's database
-- sessions carries the RFC 2104 pads of it (key XOR ipad, key XOR opad, hex) in two custom
-- settings set with bind parameters when the connection opens: the key is never in a table, a
-- function body, a query text or pg_stat_activity. A session without them can neither append
-- (the chain trigger refuses) nor verify.

-- The text a row's hash covers: the same fields and format as 0001's unkeyed digest.
CREATE OR REPLACE FUNCTION audit_row_message(prev_hash text, entry audit_log) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT concat_ws('|', prev_hash, entry.chain_seq, to_char(entry.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
    entry.user_id, entry.username, entry.role, entry.action, entry.target_type, entry.target_id, entry.purpose, entry.details::text)
$$;

-- HMAC-SHA256 of a text with this session's pads: sha256(okey || sha256(ikey || message)).
CREATE OR REPLACE FUNCTION audit_hmac(message text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  inner_pad bytea := decode(coalesce(current_setting('renwu.audit_ikey', true), ''), 'hex');
  outer_pad bytea := decode(coalesce(current_setting('renwu.audit_okey', true), ''), 'hex');
BEGIN
  IF length(inner_pad) <> 64 OR length(outer_pad) <> 64 THEN
    RAISE EXCEPTION 'the audit key is not set in this session: only the renwu server appends to or verifies the audit chain'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN encode(sha256(outer_pad || sha256(inner_pad || convert_to(message, 'UTF8'))), 'hex');
END $$;

-- Same name and arguments as before, so the chain trigger (0001) now writes keyed hashes.
CREATE OR REPLACE FUNCTION audit_row_digest(prev_hash text, entry audit_log) RETURNS text
LANGUAGE sql STABLE AS $$ SELECT audit_hmac(audit_row_message(prev_hash, entry)) $$;

-- Rows written before this migration carry unkeyed hashes. Re-chain them once with the key of the
-- session that migrates, but only as far as the unkeyed chain still verifies: a row already edited
-- keeps its old hash, so verify goes on naming it instead of the upgrade blessing the edit.
CREATE FUNCTION audit_rekey_legacy_chain() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  entry audit_log;
  keyed_parent text := 'genesis';
  legacy_parent text := 'genesis';
  expected_seq bigint := 1;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM audit_log) THEN
    RETURN 0;
  END IF;
  ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
  FOR entry IN SELECT * FROM audit_log ORDER BY chain_seq LOOP
    IF entry.chain_seq IS DISTINCT FROM expected_seq OR entry.prev_hash IS DISTINCT FROM legacy_parent
       OR entry.hash IS DISTINCT FROM encode(sha256(convert_to(audit_row_message(entry.prev_hash, entry), 'UTF8')), 'hex') THEN
      RAISE WARNING 'audit chain already broken at row % before re-keying; rows from there on keep their unkeyed hashes', entry.chain_seq;
      EXIT;
    END IF;
    legacy_parent := entry.hash;
    UPDATE audit_log SET prev_hash = keyed_parent, hash = audit_row_digest(keyed_parent, entry) WHERE id = entry.id
      RETURNING hash INTO keyed_parent;
    expected_seq := expected_seq + 1;
  END LOOP;
  ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;
  RETURN expected_seq - 1;
END $$;

SELECT audit_rekey_legacy_chain();
DROP FUNCTION audit_rekey_legacy_chain();
