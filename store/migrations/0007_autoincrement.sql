-- Hold and loan ids never come back (issue 14, finding 8). Without
-- AUTOINCREMENT SQLite gives a new row the highest id plus one, so the id
-- of the newest hold, once it is deleted, went to the next hold placed:
-- a retried DELETE /me/holds/133 cancelled the patron's newer hold 133.
-- SQLite cannot add AUTOINCREMENT to a table: both are rebuilt, as
-- https://sqlite.org/lang_altertable.html#otheralter says (the migration
-- runs with foreign keys off, checked before it commits), with every
-- column, constraint, index and trigger they had.

CREATE TABLE holds_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id       INTEGER NOT NULL REFERENCES records(id),
    patron_id       INTEGER NOT NULL REFERENCES patrons(id),
    pickup_branch   TEXT NOT NULL REFERENCES branches(code),
    contact         TEXT NOT NULL CHECK (contact IN ('phone','mobile','email')),
    status          TEXT NOT NULL CHECK (status IN ('waiting','in_transit','ready')),
    copy_id         INTEGER UNIQUE REFERENCES copies(id),
    placed_at       TEXT NOT NULL,
    ready_at        TEXT,
    contacted_at    TEXT,
    pickup_deadline TEXT,
    reminded        INTEGER NOT NULL DEFAULT 0
);
INSERT INTO holds_new(id, record_id, patron_id, pickup_branch, contact, status, copy_id, placed_at, ready_at, contacted_at, pickup_deadline, reminded)
    SELECT id, record_id, patron_id, pickup_branch, contact, status, copy_id, placed_at, ready_at, contacted_at, pickup_deadline, reminded FROM holds;
DROP TABLE holds;
ALTER TABLE holds_new RENAME TO holds;
-- One active hold per patron and title (R22).
CREATE UNIQUE INDEX holds_patron_record ON holds(patron_id, record_id);
CREATE INDEX holds_queue ON holds(record_id, placed_at, id);
-- R40: once a hold is gone its messages go too.
CREATE TRIGGER holds_forget_mail AFTER DELETE ON holds BEGIN
    DELETE FROM outbox WHERE hold_id = OLD.id;
END;

-- A loan links a patron to a copy only while it is out (R40): at return
-- the row is deleted and only an anonymous count is kept.
CREATE TABLE loans_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    copy_id         INTEGER NOT NULL UNIQUE REFERENCES copies(id),
    patron_id       INTEGER NOT NULL REFERENCES patrons(id),
    branch          TEXT NOT NULL REFERENCES branches(code),
    loaned_on       TEXT NOT NULL,
    due_date        TEXT NOT NULL,
    renewals        INTEGER NOT NULL DEFAULT 0,
    due_reminded    INTEGER NOT NULL DEFAULT 0,
    overdue_notices INTEGER NOT NULL DEFAULT 0,
    overdue_last    TEXT NOT NULL DEFAULT ''
);
INSERT INTO loans_new(id, copy_id, patron_id, branch, loaned_on, due_date, renewals, due_reminded, overdue_notices, overdue_last)
    SELECT id, copy_id, patron_id, branch, loaned_on, due_date, renewals, due_reminded, overdue_notices, overdue_last FROM loans;
DROP TABLE loans;
ALTER TABLE loans_new RENAME TO loans;
CREATE INDEX loans_patron ON loans(patron_id);
CREATE INDEX loans_due ON loans(due_date);
CREATE TRIGGER loans_forget_mail AFTER DELETE ON loans BEGIN
    DELETE FROM outbox WHERE patron_id = OLD.patron_id AND kind IN ('due_reminder', 'overdue') AND status != 'pending';
END;

-- Start past the highest id known to have been used: the rows that are
-- left, and the hold ids the outbox, the contact attempts and the staff
-- log still name (a hold deleted since left no other trace, nor does a
-- returned loan).
INSERT INTO sqlite_sequence(name, seq)
    SELECT t, 0 FROM (SELECT 'holds' AS t UNION ALL SELECT 'loans')
    WHERE t NOT IN (SELECT name FROM sqlite_sequence);
UPDATE sqlite_sequence SET seq = max(seq,
    coalesce((SELECT max(id) FROM holds), 0),
    coalesce((SELECT max(hold_id) FROM outbox), 0),
    coalesce((SELECT max(hold_id) FROM contact_attempts), 0),
    coalesce((SELECT max(CAST(substr(detail, 6) AS INTEGER)) FROM audit_log
              WHERE action IN ('hold.cancel', 'hold.contacted') AND detail LIKE 'hold %'), 0))
    WHERE name = 'holds';
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT max(id) FROM loans), 0))
    WHERE name = 'loans';
