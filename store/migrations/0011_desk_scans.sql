-- The counter's running list of a staff session's scans (R50, issue 15):
-- what was scanned, its title and what happened, for the list on the
-- counter, reprinting a slip and undoing the last loan. No patron is in
-- it (R40); the rows go with the session (logout, timeout).
CREATE TABLE desk_scans (
    id            INTEGER PRIMARY KEY,
    session_hash  TEXT NOT NULL REFERENCES sessions(id_hash) ON DELETE CASCADE,
    at            TEXT NOT NULL,
    branch        TEXT NOT NULL,
    mode          TEXT NOT NULL,              -- lend, return, receive, card
    code          TEXT NOT NULL,              -- what was scanned
    title         TEXT NOT NULL DEFAULT '',
    outcome       TEXT NOT NULL,              -- lent, returned, refused, unreadable
    reason        TEXT NOT NULL DEFAULT '',   -- the refusal's code, or what a return found
    action        TEXT NOT NULL DEFAULT '',   -- where a returned copy goes: shelve, hold_shelf, transit
    hold_id       INTEGER NOT NULL DEFAULT 0,
    to_branch     TEXT NOT NULL DEFAULT '',
    due_date      TEXT NOT NULL DEFAULT '',
    days_late     INTEGER NOT NULL DEFAULT 0,
    lim           INTEGER NOT NULL DEFAULT 0, -- the number a refusal states
    material      TEXT NOT NULL DEFAULT '',
    loan_id       INTEGER NOT NULL DEFAULT 0, -- a loan made, for undo
    undo          TEXT NOT NULL DEFAULT '',   -- how to put the copy back (JSON), '' when it cannot be
    undone        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX desk_scans_session ON desk_scans(session_hash, id);
