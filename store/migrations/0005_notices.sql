-- Notices by e-mail (#7): the outbox learns whom and what a message is
-- about, loans and holds remember which reminders went out, and patrons
-- may opt out of due-date reminders.
ALTER TABLE outbox ADD COLUMN patron_id INTEGER;
ALTER TABLE outbox ADD COLUMN branch TEXT NOT NULL DEFAULT '';
-- The pickup deadline a hold-ready message states; it becomes the hold's
-- deadline when the SMTP server accepts the message.
ALTER TABLE outbox ADD COLUMN deadline TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_due ON outbox(status, next_try_at);
CREATE INDEX outbox_hold ON outbox(hold_id) WHERE hold_id IS NOT NULL;
CREATE INDEX outbox_patron ON outbox(patron_id) WHERE patron_id IS NOT NULL;

ALTER TABLE holds ADD COLUMN reminded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE loans ADD COLUMN due_reminded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE loans ADD COLUMN overdue_notices INTEGER NOT NULL DEFAULT 0;
ALTER TABLE loans ADD COLUMN overdue_last TEXT NOT NULL DEFAULT '';
ALTER TABLE patrons ADD COLUMN due_reminders INTEGER NOT NULL DEFAULT 1;

CREATE INDEX contact_attempts_hold ON contact_attempts(hold_id, id);
CREATE INDEX loans_due ON loans(due_date);

-- R40: once a hold is gone (collected, cancelled, lapsed) its messages go
-- too; once a loan is returned, the loan notices already sent to that
-- patron go (a pending one is still delivered, then forgotten the same way
-- at the patron's next return or after mail.keep_days).
CREATE TRIGGER holds_forget_mail AFTER DELETE ON holds BEGIN
    DELETE FROM outbox WHERE hold_id = OLD.id;
END;
CREATE TRIGGER loans_forget_mail AFTER DELETE ON loans BEGIN
    DELETE FROM outbox WHERE patron_id = OLD.patron_id AND kind IN ('due_reminder', 'overdue') AND status != 'pending';
END;
