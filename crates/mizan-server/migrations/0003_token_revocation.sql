-- Revoked tokens (`mizan serve token revoke ID`): the row stays, so that
-- the audit log and the submissions it wrote still name it; a revoked
-- token authenticates nothing. Portable SQL, as 0001.
ALTER TABLE tokens ADD COLUMN revoked_at BIGINT;
