-- How long loans of a title lasted, for the estimated wait of a hold
-- (issue 18 item 10): a count per record and number of days, written at
-- the return. No patron and no date are in it (R40): it says only that
-- some loan of the title lasted that many days.
CREATE TABLE loan_durations (
    record_id  INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    days       INTEGER NOT NULL,
    count      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (record_id, days)
) WITHOUT ROWID;
