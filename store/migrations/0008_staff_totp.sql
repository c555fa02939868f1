-- A second factor for staff accounts (TOTP, RFC 6238). The secret is
-- sealed with a key drawn from the pepper, which the database never
-- holds; totp_pending is a secret shown for enrolment and not yet
-- confirmed; totp_last_step is the latest 30-second step whose code was
-- accepted, so each code works once. Recovery codes are kept as keyed
-- hashes and deleted when used.
ALTER TABLE staff ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE staff ADD COLUMN totp_pending TEXT NOT NULL DEFAULT '';
ALTER TABLE staff ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

CREATE TABLE staff_recovery_codes (
    staff_id  INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    PRIMARY KEY (staff_id, code_hash)
) WITHOUT ROWID;
