-- Hold options beyond the seed (MISSION §7, issue 18 items 11 and 12):
-- an end date after which a waiting hold lapses quietly ("この日以降は
-- 不要"), suspension (休止: the hold keeps its place in the queue while
-- copies pass it by), and series-order holds (巻数順予約: the holds a
-- patron placed on the volumes of a set, in reading order; a later one
-- is passed by while an earlier one of its group is still there).
ALTER TABLE holds ADD COLUMN not_after TEXT;
ALTER TABLE holds ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0;
ALTER TABLE holds ADD COLUMN series_group INTEGER;
ALTER TABLE holds ADD COLUMN series_seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX holds_series ON holds(series_group, series_seq) WHERE series_group IS NOT NULL;
CREATE INDEX holds_not_after ON holds(not_after) WHERE not_after IS NOT NULL;
