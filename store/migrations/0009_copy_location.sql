-- Where a copy physically is (R55, issue 15). Transit lists went by a
-- copy's home library, so a copy returned at Nagahama for Ozu showed in
-- Ozu's outgoing list while it lay at Nagahama.
--
-- at_branch is the library a copy is at: the one it was returned,
-- received or put on a hold shelf at; for a copy in transit, the one it
-- left from, until it is received. NULL means at its home library (how
-- every copy is made, and where a shelved copy is), except in transit,
-- where NULL means it left before this column existed, from a library
-- nobody recorded; on loan it is with the patron and at_branch is NULL.
ALTER TABLE copies ADD COLUMN at_branch TEXT REFERENCES branches(code);

-- The copies waiting on hold shelves are at their holds' pickup library.
UPDATE copies SET at_branch = (SELECT h.pickup_branch FROM holds h WHERE h.copy_id = copies.id)
    WHERE status = 'on_hold_shelf' AND EXISTS (SELECT 1 FROM holds h WHERE h.copy_id = copies.id);

CREATE INDEX copies_at ON copies(at_branch) WHERE at_branch IS NOT NULL;
CREATE INDEX copies_transit ON copies(transit_to) WHERE transit_to IS NOT NULL;
