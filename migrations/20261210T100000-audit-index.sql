-- The audit log pages (/{slug}/admin/audit, /admin/audit) read one chain newest first by keyset on
-- seq, filtered by who acted or by the kind of object. The primary key (chain, seq) serves the
-- plain listing; these serve the two filters without walking the whole chain. Safe to run twice.
CREATE INDEX IF NOT EXISTS audit_log_chain_actor ON audit_log (chain, actor_id, seq);
CREATE INDEX IF NOT EXISTS audit_log_chain_subject ON audit_log (chain, subject_type, seq);
