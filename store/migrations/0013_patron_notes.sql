-- Staff notes on a patron (R52, issue 15): what the counter should know
-- (large print, calls in the afternoon). Never a title (R40): the page
-- that edits it says so.
ALTER TABLE patrons ADD COLUMN notes TEXT NOT NULL DEFAULT '';
