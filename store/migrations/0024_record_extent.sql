-- A record's physical description (R83's record page): pages, size and
-- the like, as MARC 300 or an import's "extent" column gives them
-- ("269p ; 22cm"). Empty when unknown.
ALTER TABLE records ADD COLUMN extent TEXT NOT NULL DEFAULT '';

-- The other volumes of a record's series, on its page.
CREATE INDEX records_series ON records(series) WHERE series <> '';
