-- Issue #19: the audit chain is linked by a sequencer, off the request path. See docs/audit.md.
--
-- Before: a BEFORE INSERT trigger took one database-wide advisory lock, read the head and hashed
-- the row, so every audited request in the city queued behind every other until it committed.
-- Now a request inserts its row unlinked (chain_seq, prev_hash, hash all NULL) in its own
-- transaction, with no lock: `id` (an identity, assigned at insert, never reused) is its
-- commit-independent sequence number. The server's sequencer (server/audit/sequencer.ts) calls
-- audit_link_pending() every AUDIT_LINK_INTERVAL_MS: it appends the committed unlinked rows to the
-- keyed chain in one transaction, giving them consecutive chain_seq in order of id.
--
-- Why the order is well-defined although transactions commit out of id order: the sequencer does
-- not link "rows up to id N" (a row with a lower id may still be in flight); it links exactly the
-- rows its snapshot sees as committed and still unlinked, after whatever is already linked. A row
-- that commits later is not lost, it is linked in a later batch with a higher chain_seq. chain_seq
-- is therefore "order of linking", and the chain over chain_seq is total because only one
-- sequencer runs at a time (a transaction-level advisory lock of its own, taken before it reads
-- the head, so a second one waits for none and skips; a later one sees the first one's commit).
-- On PGlite (one connection) transactions never overlap, so a batch is simply "all rows so far".

DROP TRIGGER audit_log_chain ON audit_log;
DROP FUNCTION audit_log_chain();

-- Only the server (a session holding the audit key) appends; rows always start unlinked, so an
-- insert cannot place a forged row into the chain.
CREATE FUNCTION audit_log_insert_unlinked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF length(coalesce(current_setting('renwu.audit_ikey', true), '')) <> 128 THEN
    RAISE EXCEPTION 'the audit key is not set in this session: only the renwu server appends to or verifies the audit chain'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  NEW.chain_seq := NULL;
  NEW.prev_hash := NULL;
  NEW.hash := NULL;
  RETURN NEW;
END $$;
CREATE TRIGGER audit_log_insert_unlinked BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_insert_unlinked();

-- Still append-only: the one change allowed is linking an unlinked row (filling the three chain
-- columns once) with every audited field unchanged. A link with a wrong hash shows in verify.
CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.chain_seq IS NULL AND OLD.prev_hash IS NULL AND OLD.hash IS NULL
     AND NEW.chain_seq IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.hash IS NOT NULL
     AND (NEW.id, NEW.at, NEW.user_id, NEW.username, NEW.role, NEW.action, NEW.target_type, NEW.target_id, NEW.purpose, NEW.details::text)
         IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.user_id, OLD.username, OLD.role, OLD.action, OLD.target_type, OLD.target_id, OLD.purpose, OLD.details::text) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;

-- The sequencer's work list stays small however long the log grows.
CREATE INDEX audit_log_unlinked_idx ON audit_log (id) WHERE chain_seq IS NULL;

-- Links up to max_rows committed unlinked rows, oldest id first, after the current head; returns
-- how many (-1 when another sequencer holds the lock). SECURITY DEFINER: the server's role has no
-- UPDATE on audit_log (docs/audit.md, two roles), it may only link through this function. The
-- hashes need the caller's session key, as before: audit_row_digest reads the session's pads.
CREATE FUNCTION audit_link_pending(max_rows integer) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  entry audit_log;
  parent text;
  seq bigint;
  linked integer := 0;
BEGIN
  IF NOT pg_try_advisory_xact_lock(86420002) THEN
    RETURN -1;
  END IF;
  -- A fresh snapshot per statement (READ COMMITTED): taken after the lock, so it sees the last
  -- sequencer's commit and its head.
  SELECT a.chain_seq, a.hash INTO seq, parent FROM audit_log a WHERE a.chain_seq IS NOT NULL ORDER BY a.chain_seq DESC LIMIT 1;
  seq := coalesce(seq, 0);
  parent := coalesce(parent, 'genesis');
  FOR entry IN SELECT * FROM audit_log a WHERE a.chain_seq IS NULL ORDER BY a.id LIMIT max_rows LOOP
    seq := seq + 1;
    entry.chain_seq := seq;
    entry.prev_hash := parent;
    parent := audit_row_digest(entry.prev_hash, entry);
    UPDATE audit_log SET chain_seq = seq, prev_hash = entry.prev_hash, hash = parent WHERE id = entry.id;
    linked := linked + 1;
  END LOOP;
  RETURN linked;
END $$;

-- The session's HMAC pads, checked, for set-based verification: one call per query instead of
-- decoding the settings for every row (audit_hmac), so verifying millions of rows stays within
-- a minute. Same refusal as audit_hmac when the session lacks the key.
CREATE FUNCTION audit_hmac_pads(OUT inner_pad bytea, OUT outer_pad bytea)
LANGUAGE plpgsql STABLE AS $$
BEGIN
  inner_pad := decode(coalesce(current_setting('renwu.audit_ikey', true), ''), 'hex');
  outer_pad := decode(coalesce(current_setting('renwu.audit_okey', true), ''), 'hex');
  IF length(inner_pad) <> 64 OR length(outer_pad) <> 64 THEN
    RAISE EXCEPTION 'the audit key is not set in this session: only the renwu server appends to or verifies the audit chain'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
END $$;
