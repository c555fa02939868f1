-- Hondana schema, version 1. Covers the catalogue and everything the
-- circulation, accounts and notification features need.

CREATE TABLE branches (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    address     TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    fax         TEXT NOT NULL DEFAULT '',
    sort_order  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE records (
    id              INTEGER PRIMARY KEY,
    source          TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    title_yomi      TEXT NOT NULL DEFAULT '',
    subtitle        TEXT NOT NULL DEFAULT '',
    subtitle_yomi   TEXT NOT NULL DEFAULT '',
    authors         TEXT NOT NULL DEFAULT '[]',  -- JSON [{name,yomi,role}]
    publisher       TEXT NOT NULL DEFAULT '',
    publisher_yomi  TEXT NOT NULL DEFAULT '',
    year            INTEGER NOT NULL DEFAULT 0,
    ndc             TEXT NOT NULL DEFAULT '',
    isbn            TEXT NOT NULL DEFAULT '',
    material_type   TEXT NOT NULL DEFAULT 'book',
    series          TEXT NOT NULL DEFAULT '',
    series_yomi     TEXT NOT NULL DEFAULT '',
    volume          TEXT NOT NULL DEFAULT '',
    subjects        TEXT NOT NULL DEFAULT '[]',  -- JSON ["..."]
    description     TEXT NOT NULL DEFAULT '',
    language        TEXT NOT NULL DEFAULT '',
    yomi_generated  INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX records_isbn ON records(isbn) WHERE isbn <> '';

-- A copy (item) of a record on a shelf of a branch.
CREATE TABLE copies (
    id            INTEGER PRIMARY KEY,
    record_id     INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    barcode       TEXT NOT NULL UNIQUE,
    branch        TEXT NOT NULL REFERENCES branches(code),
    location      TEXT NOT NULL DEFAULT '',
    call_number   TEXT NOT NULL DEFAULT '',
    -- on_shelf, on_loan, in_transit, on_hold_shelf, missing, withdrawn
    status        TEXT NOT NULL DEFAULT 'on_shelf',
    -- where an in-transit copy is going
    transit_to    TEXT REFERENCES branches(code),
    -- the day the copy was first put on the shelf (R23: not pulled for holds that day)
    shelved_on    TEXT NOT NULL,
    acquired_on   TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX copies_record ON copies(record_id);
CREATE INDEX copies_acquired ON copies(acquired_on);

-- Opening calendar: one row per branch and day that differs from the
-- weekly pattern in config, filled for a range of days ahead.
CREATE TABLE calendar_days (
    branch     TEXT NOT NULL REFERENCES branches(code),
    day        TEXT NOT NULL,           -- YYYY-MM-DD
    open       INTEGER NOT NULL,
    opens_at   TEXT NOT NULL DEFAULT '', -- HH:MM
    closes_at  TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (branch, day)
) WITHOUT ROWID;

CREATE TABLE news (
    id          INTEGER PRIMARY KEY,
    day         TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    published   INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL
);

CREATE TABLE pages (
    slug        TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    title_en    TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL,           -- Markdown
    menu_order  INTEGER NOT NULL DEFAULT 0,
    updated_at  TEXT NOT NULL
);

CREATE TABLE patrons (
    id              INTEGER PRIMARY KEY,
    card            TEXT NOT NULL UNIQUE CHECK (length(card) = 9),
    name            TEXT NOT NULL,
    name_yomi       TEXT NOT NULL DEFAULT '',
    birth_date      TEXT NOT NULL,
    address         TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    mobile          TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    home_branch     TEXT REFERENCES branches(code),
    password_hash   TEXT NOT NULL DEFAULT '',
    password_temporary INTEGER NOT NULL DEFAULT 1,
    password_issued_at TEXT NOT NULL DEFAULT '',
    temp_failures   INTEGER NOT NULL DEFAULT 0,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    last_failed_at  TEXT NOT NULL DEFAULT '',
    locked          INTEGER NOT NULL DEFAULT 0,
    blocked_reason  TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL
);

CREATE TABLE staff (
    id             INTEGER PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL DEFAULT '',
    role           TEXT NOT NULL DEFAULT 'librarian', -- librarian, admin
    password_hash  TEXT NOT NULL,
    disabled       INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL
);

-- Server-side sessions for the web and bearer tokens for the API.
CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,   -- SHA-256 of the random id
    patron_id    INTEGER REFERENCES patrons(id) ON DELETE CASCADE,
    staff_id     INTEGER REFERENCES staff(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,      -- web, api, kiosk
    data         TEXT NOT NULL DEFAULT '{}',
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
) WITHOUT ROWID;

-- A loan links a patron to a copy only while it is out (R40): at return
-- the row is deleted and only an anonymous count is kept.
CREATE TABLE loans (
    id          INTEGER PRIMARY KEY,
    copy_id     INTEGER NOT NULL UNIQUE REFERENCES copies(id),
    patron_id   INTEGER NOT NULL REFERENCES patrons(id),
    branch      TEXT NOT NULL REFERENCES branches(code),
    loaned_on   TEXT NOT NULL,
    due_date    TEXT NOT NULL,
    renewals    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX loans_patron ON loans(patron_id);

-- Anonymous loan counts per record and day, for rankings (R5, R40).
CREATE TABLE loan_counts (
    record_id  INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    day        TEXT NOT NULL,
    count      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (record_id, day)
) WITHOUT ROWID;
CREATE INDEX loan_counts_day ON loan_counts(day);

CREATE TABLE holds (
    id              INTEGER PRIMARY KEY,
    record_id       INTEGER NOT NULL REFERENCES records(id),
    patron_id       INTEGER NOT NULL REFERENCES patrons(id),
    pickup_branch   TEXT NOT NULL REFERENCES branches(code),
    contact         TEXT NOT NULL CHECK (contact IN ('phone','mobile','email')),
    status          TEXT NOT NULL CHECK (status IN ('waiting','in_transit','ready')),
    copy_id         INTEGER UNIQUE REFERENCES copies(id),
    placed_at       TEXT NOT NULL,
    ready_at        TEXT,
    contacted_at    TEXT,
    pickup_deadline TEXT
);
-- One active hold per patron and title (R22).
CREATE UNIQUE INDEX holds_patron_record ON holds(patron_id, record_id);
CREATE INDEX holds_queue ON holds(record_id, placed_at, id);

-- Every attempt to tell a patron that a hold is ready.
CREATE TABLE contact_attempts (
    id          INTEGER PRIMARY KEY,
    hold_id     INTEGER NOT NULL REFERENCES holds(id) ON DELETE CASCADE,
    channel     TEXT NOT NULL,
    result      TEXT NOT NULL,
    staff_id    INTEGER REFERENCES staff(id),
    at          TEXT NOT NULL
);

-- E-mail outbox, written in the same transaction as the event.
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    hold_id       INTEGER,
    to_addr       TEXT NOT NULL,
    subject       TEXT NOT NULL,
    body          TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending', -- pending, sent, failed
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_try_at   TEXT NOT NULL,
    last_error    TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    sent_at       TEXT
);

-- Staff actions, for accountability.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    staff_id  INTEGER REFERENCES staff(id),
    action    TEXT NOT NULL,
    detail    TEXT NOT NULL DEFAULT '',
    at        TEXT NOT NULL
);

-- Changes the search index has yet to apply: written in the same
-- transaction as the change, applied by one worker (TECH-NOTES).
CREATE TABLE index_queue (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id  INTEGER NOT NULL
);

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) WITHOUT ROWID;

-- Every change the index must see is queued by the database itself, so no
-- code path can forget it.
CREATE TRIGGER records_ai AFTER INSERT ON records BEGIN
    INSERT INTO index_queue(record_id) VALUES (NEW.id);
END;
CREATE TRIGGER records_au AFTER UPDATE ON records BEGIN
    INSERT INTO index_queue(record_id) VALUES (NEW.id);
END;
CREATE TRIGGER records_ad AFTER DELETE ON records BEGIN
    INSERT INTO index_queue(record_id) VALUES (OLD.id);
END;
CREATE TRIGGER copies_ai AFTER INSERT ON copies BEGIN
    INSERT INTO index_queue(record_id) VALUES (NEW.record_id);
END;
CREATE TRIGGER copies_au AFTER UPDATE OF status, branch, record_id, acquired_on ON copies BEGIN
    INSERT INTO index_queue(record_id) VALUES (NEW.record_id);
END;
CREATE TRIGGER copies_ad AFTER DELETE ON copies BEGIN
    INSERT INTO index_queue(record_id) VALUES (OLD.record_id);
END;
