-- Anonymous loan counts per record, branch and day (R40): what a return
-- leaves behind, and what the loan-best ranking reads.
CREATE TABLE loan_counts_new (
    record_id  INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    branch     TEXT NOT NULL DEFAULT '',
    day        TEXT NOT NULL,
    count      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (record_id, branch, day)
) WITHOUT ROWID;
INSERT INTO loan_counts_new(record_id, branch, day, count) SELECT record_id, '', day, count FROM loan_counts;
DROP TABLE loan_counts;
ALTER TABLE loan_counts_new RENAME TO loan_counts;
CREATE INDEX loan_counts_day ON loan_counts(day);
