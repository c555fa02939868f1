-- A patron's favourites (お気に入り, issue 18 item 14): titles the patron
-- chose to keep a list of; theirs alone, never shown to staff.
CREATE TABLE favourites (
    patron_id  INTEGER NOT NULL REFERENCES patrons(id) ON DELETE CASCADE,
    record_id  INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    added_at   TEXT NOT NULL,
    PRIMARY KEY (patron_id, record_id)
) WITHOUT ROWID;
