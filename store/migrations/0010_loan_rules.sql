-- Loan rules by patron category and material type (R54, issue 15).
-- A patron's category ('' is the first category of the configuration,
-- 市内 by default), and a copy's flag 禁帯出 (not for loan: read in the
-- library only). The statuses 修理中 (repair) and 紛失 (lost) join
-- 調査中 (missing) as values of copies.status, which has no CHECK.
ALTER TABLE patrons ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE copies ADD COLUMN not_for_loan INTEGER NOT NULL DEFAULT 0;
