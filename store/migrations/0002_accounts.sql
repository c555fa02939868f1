-- Staff logins are throttled like patrons'.
ALTER TABLE staff ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN last_failed_at TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_patron ON sessions(patron_id);
CREATE INDEX sessions_staff ON sessions(staff_id);
