-- Covers (R83): one per record at most, an image staff uploaded or an
-- import brought, re-encoded as JPEG. Records without one get a drawn
-- cover, made when asked and kept nowhere. hash names the image's bytes
-- (its URL changes with it, so browsers may keep it for a year);
-- source_hash those of the file it was made from, so an import folder
-- read again skips what it already took.
CREATE TABLE covers (
    record_id    INTEGER PRIMARY KEY REFERENCES records(id) ON DELETE CASCADE,
    hash         TEXT NOT NULL,
    source_hash  TEXT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('upload', 'import')),
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    image        BLOB NOT NULL,
    updated_at   TEXT NOT NULL
);
