-- Staff lending to a patron despite the overdue rule (R53, issue 15):
-- for the rest of the staff session, with the reason they gave (also in
-- the staff log, never beside a title). Gone with the session.
CREATE TABLE desk_overrides (
    session_hash TEXT NOT NULL REFERENCES sessions(id_hash) ON DELETE CASCADE,
    patron_id    INTEGER NOT NULL REFERENCES patrons(id) ON DELETE CASCADE,
    reason       TEXT NOT NULL,
    at           TEXT NOT NULL,
    PRIMARY KEY (session_hash, patron_id)
) WITHOUT ROWID;
