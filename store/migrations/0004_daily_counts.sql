-- Anonymous daily figures per branch for the staff home: loans, returns,
-- holds placed, filled and lapsed. No patron in them (R40).
CREATE TABLE daily_counts (
    branch  TEXT NOT NULL,
    day     TEXT NOT NULL,
    kind    TEXT NOT NULL,
    count   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (branch, day, kind)
) WITHOUT ROWID;
