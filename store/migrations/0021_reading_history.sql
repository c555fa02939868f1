-- The reading history (読書通帳, issue 18 item 13): off unless the patron
-- turns it on. While it is on, each return adds a row here for that
-- patron alone, apart from loans, so the loans table still forgets at
-- the return (R40). Turning it off deletes every row.
ALTER TABLE patrons ADD COLUMN reading_history INTEGER NOT NULL DEFAULT 0;
CREATE TABLE reading_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    patron_id   INTEGER NOT NULL REFERENCES patrons(id) ON DELETE CASCADE,
    record_id   INTEGER REFERENCES records(id) ON DELETE SET NULL,
    title       TEXT NOT NULL,
    author      TEXT NOT NULL DEFAULT '',
    loaned_on   TEXT NOT NULL,
    returned_on TEXT NOT NULL
);
CREATE INDEX reading_history_patron ON reading_history(patron_id, returned_on);
