-- New arrivals are found by the search index (its acquired field), never
-- by SQL: the index of copies by acquisition date only slowed every copy
-- written, a random insert each (a sixth of a bulk load's SQLite time).
DROP INDEX IF EXISTS copies_acquired;
