-- Moving in from a vendor system (R60, issue 16): a patron's card is
-- valid until a day the vendor's file gives (有効期限); '' is no limit.
-- Kept and exported again, so that moving out loses nothing.
ALTER TABLE patrons ADD COLUMN expiry TEXT NOT NULL DEFAULT '';
